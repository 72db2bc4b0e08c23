"""Suite-wide settings: a run in which no test passed is a failed run."""

import os

os.environ.setdefault("PLAYGROUND_WARM_KERAS", "0")  # tests import Keras themselves
os.environ.setdefault("PLAYGROUND_WARM_LESSONS", "0")  # tests/components/test_warmup.py
# Every unvalidated figure is compared with its validated copy (plot_style.figure).
os.environ.setdefault("PLAYGROUND_CHECK_FIGURES", "1")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    if exitstatus == 0 and passed == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line("No test passed: a run that tests nothing fails.")
