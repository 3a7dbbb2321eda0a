"""The code of Michael Nielsen's *Neural Networks and Deep Learning*, running on deltaprop's engine.

Programs written for the book's ``network.py``, ``network2.py`` and ``mnist_loader.py`` run unchanged
but for the import::

    from deltaprop.compat import mnist_loader, network, network2

    training_data, validation_data, test_data = mnist_loader.load_data_wrapper("data/mnist.pkl.gz")
    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

The classes keep the book's attributes (``weights`` and ``biases`` as lists of column-shaped NumPy arrays),
methods, printed output and model files, and follow its random numbers: with the same ``np.random.seed``
and ``random.seed`` they start from the same parameters and visit the same mini-batches, and an epoch
ends at the same weights up to floating-point rounding (differences that, as between any two
implementations, can grow over many epochs at large learning rates). Each training epoch runs as one call
into the compiled engine, on as many threads as NumPy's BLAS would use (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``threadpoolctl`` limits apply); the images the book's loader makes, views
of the rows of one array, are read where they lie while ``SGD`` runs.
"""

from . import mnist_loader, network, network2

__all__ = ["mnist_loader", "network", "network2"]
