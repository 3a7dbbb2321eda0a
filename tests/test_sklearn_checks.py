"""deltaprop.sklearn against scikit-learn's own verdicts: its estimator suite and its MLP tests."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from deltaprop.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# No check is expected to fail: the list scikit-learn may be given of expected failures is empty.
EXPECTED_FAILURES: dict = {}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([MLPClassifier(), MLPRegressor()], expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_scikit_learn_mlp_tests_pass_on_deltaprop_estimators(tmp_path):
    """scikit-learn's own test module for its MLPs, with only the estimators' import changed."""
    import sklearn

    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    if not source.exists():
        pytest.skip("this scikit-learn installation does not include its tests")
    text = source.read_text()
    pattern = re.compile(r"^from sklearn\.neural_network import MLPClassifier, MLPRegressor$", re.MULTILINE)
    assert len(pattern.findall(text)) == 1, "the test module's import of the estimators has changed"
    text = pattern.sub("from deltaprop.sklearn import MLPClassifier, MLPRegressor", text)
    # A test of our own in the module proves which classes its tests ran on.
    text += (
        "\n\ndef test_these_tests_ran_on_deltaprop():\n"
        "    assert MLPClassifier.__module__.startswith('deltaprop')\n"
        "    assert MLPRegressor.__module__.startswith('deltaprop')\n"
    )
    (tmp_path / "test_mlp_on_deltaprop.py").write_text(text)
    (tmp_path / "conftest.py").write_text("from sklearn.conftest import *  # noqa: F401,F403\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary


def _run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


# Makes `import sklearn` fail in the child process, as on a machine without scikit-learn.
_WITHOUT_SKLEARN = "import sys; sys.modules['sklearn'] = None\n"


def test_deltaprop_imports_without_scikit_learn():
    result = _run_python(
        _WITHOUT_SKLEARN
        + "import deltaprop, sys; assert 'sklearn' not in [m for m in sys.modules if sys.modules[m]]; print('ok')"
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_deltaprop_sklearn_without_scikit_learn_says_how_to_install_it():
    result = _run_python(_WITHOUT_SKLEARN + "import deltaprop.sklearn")
    assert result.returncode != 0
    assert "ImportError" in result.stderr and 'pip install "deltaprop[sklearn]"' in result.stderr
