"""scikit-learn's ``MLPClassifier`` and ``MLPRegressor``, trained by deltaprop's engine.

Change only the import::

    from deltaprop.sklearn import MLPClassifier, MLPRegressor

The estimators are scikit-learn's own classes with their computation done by deltaprop: the same
parameters, defaults, attributes, methods and algorithm, so existing code, pipelines, grid
searches and pickles work as before and give results of the same quality, faster. This module
needs scikit-learn, an optional extra: ``pip install "deltaprop[sklearn]"``.
"""

try:
    import sklearn  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "deltaprop.sklearn needs scikit-learn, which is not installed; install it with: "
        'pip install "deltaprop[sklearn]"'
    ) from error

from ._estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
