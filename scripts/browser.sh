# Sourced by scripts/test.sh: Debian's Chromium for the browser tests (tests/browser, driven by the playwright
# package of requirements.txt through executable_path, since `playwright install` downloads a browser). Installed
# with apt-get where it is missing and this machine can (root, apt-get); elsewhere the browser tests are skipped,
# each with the reason. COURSE_CHROMIUM=/path/to/chromium uses another build.
if [ -z "${COURSE_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's chromium for the browser tests"
        if ! apt-get install -y -q chromium >/dev/null 2>&1; then
            apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1 \
                || echo "warning: apt-get could not install chromium; the browser tests will be skipped"
        fi
    else
        echo "note: no chromium on PATH (Debian: sudo apt-get install chromium); the browser tests will be skipped"
    fi
fi
