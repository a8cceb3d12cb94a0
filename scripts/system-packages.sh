# Sourced by scripts/test.sh: the Debian packages some tests need, installed with apt-get where they are missing
# and this machine can (root, apt-get); elsewhere those tests are skipped, each with the reason.
# - chromium, for the browser tests (tests/browser), driven by the playwright package of requirements.txt through
#   executable_path (`playwright install` would download a browser); COURSE_CHROMIUM=/path uses another build;
# - postgresql, the server of the PostgreSQL gradebook tests (tests/e2e/test_cluster.py), which start their own
#   server in a temporary folder (the package's own cluster is not used).
install_debian_package() {  # package, program that shows it is there, what needs it
    if command -v "$2" >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/"$2" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's $1 for $3"
        if ! apt-get install -y -q "$1" >/dev/null 2>&1; then
            apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$1" >/dev/null 2>&1 \
                || echo "warning: apt-get could not install $1; $3 will be skipped"
        fi
    else
        echo "note: no $1 (Debian: sudo apt-get install $1); $3 will be skipped"
    fi
}
if [ -z "${COURSE_CHROMIUM:-}" ]; then
    install_debian_package chromium chromium "the browser tests"
fi
install_debian_package postgresql initdb "the PostgreSQL gradebook tests"
