"""nbgrader configuration of the course (https://nbgrader.readthedocs.io/en/stable/configuration/).

The course root is this folder: source/ holds the instructor notebooks, release/ the student
versions generated from them, submitted/ and autograded/ the class's work.
"""

import os

import nbgrader as _nbgrader
from nbgrader.converters import GenerateAssignment as _GenerateAssignment

import grader as _grader
from grader.release import mark_scheme as _mark_scheme

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "neural-networks"
# nbgrader's exchange (release and collect inside one JupyterHub) lives in the course folder, not in
# a system folder that only root may create: submissions arrive through `course collect` from an LMS.
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)
# The gradebook: SQLite in the course folder by default; any SQLAlchemy URL works, e.g.
# "postgresql://user:password@host/gradebook".
# c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# What a student sees in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# The hand-graded tasks' answers are answer cells of their own (manually graded answers), and each
# task's marking scheme sits in the read-only cell that describes the task: nbgrader removes it from
# the release and the feedback, keeps it in the gradebook, and shows it to graders in the formgrader.
c.ClearMarkScheme.enforce_metadata = False
# nbgrader's step, and the doubled blank line that the removed scheme would leave between two paragraphs made one.
c.GenerateAssignment.preprocessors = _mark_scheme.with_tidy_clear_mark_scheme(
    _GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()
)

# Autograding. The grading kernel imports what every kernel needs (grader/kernel/preload.py: a warm kernel has it
# from its template already), then starts seeded (the same submission always gets the same grade) and
# sends what it would print to stderr to stdout: nbgrader scores a test cell 0 when it writes to
# stderr, and a warning from torch or numpy, or a progress bar, must not zero a correct answer.
# Errors still fail a test: they are error outputs, not stderr text.
# The last line records the kernel's state before any student code runs, so that it can be put back
# before every test cell (grader/kernel/integrity.py).
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=import sys; sys.stderr = sys.stdout",
    "--IPKernelApp.exec_lines=__import__('grader.kernel.preload', fromlist=['load']).load()",
    "--IPKernelApp.exec_lines=from helpers import seed_everything; seed_everything(0)",
    "--IPKernelApp.exec_lines=__import__('grader.kernel.integrity', fromlist=['install']).install()",
]

# Experiment cells (tagged `experiment` in the source: the sweeps and figures that only hand-graded answers use)
# are not re-run when a submission is graded: the sanitizing step keeps their outputs, the student's own, where
# nbgrader's ClearOutput would wipe them, and GuardedExecute skips them (grader/common/experiments.py). Test cells
# always run. `course grade ASSIGNMENT --rerun-experiments` (or True here) runs them too, for an audit.
c.Autograde.sanitize_preprocessors = [
    "grader.common.experiments.KeepExperimentOutputs",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GuardedExecute.rerun_experiments = False

# Grading a class (`course autograde`): nbgrader's Execute step is replaced by
# grader.kernel.guarded_execute.GuardedExecute, which runs each kernel in a jail (Linux namespaces where
# the system allows, else a plain process in a scratch folder), enforces the limits below, and
# restores the kernel's integrity before every test cell. A deleted test cell is put back.
# Then each run of stream outputs becomes one output with its carriage returns applied, the kept experiments' as the
# re-run cells': a progress bar shows its last line in the formgrader and the feedback, not its history.
c.Autograde.autograde_preprocessors = [
    "grader.kernel.guarded_execute.GuardedExecute",
    "nbconvert.preprocessors.CoalesceStreamsPreprocessor",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# nbconvert's preprocessors run only where enabled. Enabled here, it also runs in the formgrader's HTML export (and
# the feedback's, which lists it below), so a notebook autograded before it still shows each bar's last line.
c.CoalesceStreamsPreprocessor.enabled = True
c.OverwriteCells.add_missing_cells = True
# Limits. A cell past its time is interrupted (its test fails, grading goes on); a submission past
# its time or memory is stopped, its unrun cells score 0, and its row says why. Time is the CPU time of the
# kernel and what it starts, so that a busy grading machine never changes a grade; a kernel that sleeps or
# waits is stopped at wall_clock_factor times a limit in wall-clock seconds.
c.Execute.timeout = 120  # CPU seconds per cell
c.GuardedExecute.submission_timeout = 600  # CPU seconds for the whole notebook
c.GuardedExecute.wall_clock_factor = 5.0
c.GuardedExecute.memory_limit_mb = 2048  # the kernel and what it starts; the reference uses about 500
c.GuardedExecute.output_limit_kb = 1024  # output kept per cell
# The largest file of a submission, in MB: a notebook over it scores 0, its feedback says to clear the outputs
# and submit again; another file over it is left out of grading (a review flag says so); `course collect` skips it.
c.GuardedExecute.submission_file_limit_mb = 50
c.GuardedExecute.isolation = "auto"  # or "namespaces" (refuse to grade without a jail) or "scratch"
# Each grading worker keeps a template process that has imported what every kernel needs (ipykernel, NumPy, torch,
# matplotlib, helpers, the checks) and forks each submission's kernel from it, into the same jail and limits
# (grader/kernel/template.py): a kernel is ready in a fraction of a second instead of several. False (or
# `course grade --cold-kernels`) starts each kernel as a new process; where no template can be made, kernels start
# cold by themselves, the reason in the grading log.
c.GuardedExecute.warm_kernels = True

# Feedback: hidden tests are graded but never shown to students, not even in a traceback, and
# the marking schemes of manually graded tasks stay with the instructors.
# The page opens with a table of the tasks (what each scored and why, in words); its title is the notebook's; formulas
# are MathML, which browsers render without the network that MathJax's CDN needs, and the page loads nothing from the
# network: no MathJax, the Colab badge's image as its words, and a Content-Security-Policy (the template's) that blocks
# whatever else a submission's markdown or outputs would load or run.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "grader.release.mark_scheme.TidyClearMarkScheme",
    "grader.report.feedback.MarkPendingGrades",
    "grader.report.feedback.SummariseTasks",
    "grader.report.feedback.HideHiddenTests",
    "grader.report.mathml.MathToMathML",
    "grader.report.feedback.RemoteImagesAsText",
    "nbconvert.preprocessors.CoalesceStreamsPreprocessor",  # a progress bar's last line, not its history
]
c.SummariseTasks.course_root = os.path.dirname(os.path.abspath(__file__))
# The formgrader (the TA's view) renders submissions with HTMLExporter: its formulas are MathML too.
c.HTMLExporter.preprocessors = ["grader.report.mathml.MathToMathML"]
c.FeedbackExporter.preprocessors = []  # the feedback's own list above has it, after GetGrades (for comments)
# Its page: nbgrader's, except that a hand-graded answer not graded yet says so (not "0 / 18"), and the
# total counts what has been graded.
# nbgrader's template is named feedback; the course's file is grader/templates/feedback/course_feedback.html.j2.
# It is set on the feedback's own exporter class: set on HTMLExporter, it would reach the formgrader's pages too
# (they render with HTMLExporter and templates of their own), and the formgrader's grading page would fail.
c.GenerateFeedback.exporter_class = "grader.report.feedback.FeedbackExporter"
c.FeedbackExporter.template_file = "course_feedback.html.j2"
c.FeedbackExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(_nbgrader.__file__), "server_extensions", "formgrader", "templates"),
    os.path.join(os.path.dirname(_grader.__file__), "templates"),
]
