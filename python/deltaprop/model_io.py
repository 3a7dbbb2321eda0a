"""Model files: save a :class:`~deltaprop.Network` to disk and load it back, without pickle.

Format, version 1
-----------------
A model file is an uncompressed NumPy ``.npz`` archive: a zip file whose members ``<name>.npy`` are arrays in
the ``.npy`` format (version 1.0 or 2.0), as written by :func:`numpy.savez`. It holds exactly these arrays and
nothing else, none of them needing pickle:

``header``
    1-D ``uint8`` array: the UTF-8 bytes of a JSON object (described below).
``W0, b0, W1, b1, ..., W{L-1}, b{L-1}``
    The parameters of the L = ``len(sizes) - 1`` layers: ``W{i}`` has shape ``(sizes[i+1], sizes[i])``
    (outputs x inputs, as in the textbook) and ``b{i}`` has shape ``(sizes[i+1],)``. Their dtype is the
    header's ``dtype``, stored little-endian (``<f4`` or ``<f8``; readers also accept big-endian); every value
    is finite.

The JSON header has the keys:

``format`` : str
    Always ``"deltaprop-model"``.
``version`` : int
    The format version, 1. Readers refuse files of a version newer than they know.
``sizes`` : list of int
    Layer widths, input first.
``activation``, ``output_activation`` : str
    Activations of the hidden layers and of the output layer ("identity", "sigmoid", "tanh", "relu",
    "leaky_relu", "softmax").
``loss`` : str
    "quadratic", "cross_entropy" or "log_likelihood".
``slope`` : float
    Negative-side slope of "leaky_relu": f(z) = z for z > 0, slope * z otherwise.
``dtype`` : str
    "float32" or "float64".
``init`` : str
    The initialisation scheme the network was created with (descriptive).
``training`` : dict
    The network's ``training_info`` when saved (epochs, samples seen, last cost, hyper-parameters...);
    a non-finite number in it is written as ``null``.
``metadata`` : dict
    Whatever JSON object the user passed to :func:`save_network`.
``deltaprop_version`` : str
    The deltaprop release that wrote the file.
``created`` : str
    ISO-8601 UTC time of writing, such as ``"2024-05-01T12:00:00+00:00"``.

``format``, ``version``, ``sizes``, ``activation``, ``output_activation``, ``loss``, ``slope`` and ``dtype`` are
required; readers treat a missing ``init`` as "nielsen" and missing ``training``/``metadata`` as empty, and
ignore keys they do not know. The network computes ``a = f(a_prev W{i}ᵀ + b{i})`` layer by layer, with ``f``
the hidden activation and ``output_activation`` for the last layer.

Reading a model with plain NumPy::

    import json
    import numpy as np

    with np.load("model.npz", allow_pickle=False) as f:
        header = json.loads(f["header"].tobytes().decode("utf-8"))
        layers = len(header["sizes"]) - 1
        weights = [f[f"W{i}"] for i in range(layers)]
        biases = [f[f"b{i}"] for i in range(layers)]
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import numbers
import os
import secrets

import numpy as np

from ._validation import ACTIVATIONS, INITS, LOSSES, check_architecture, check_choice, check_real, check_sizes
from .network import Network

__all__ = ["FORMAT", "VERSION", "load_network", "read_header", "save_network"]

FORMAT = "deltaprop-model"
VERSION = 1

_REQUIRED = ("format", "version", "sizes", "activation", "output_activation", "loss", "slope", "dtype")
_DTYPES = ("float32", "float64")


class _FormatError(Exception):
    """A problem with a model file's contents; turned into a ValueError that names the file."""


# --- writing -------------------------------------------------------------------------------------


def save_network(net, path, metadata=None) -> None:
    """Write a network to a model file (format version 1, see :mod:`deltaprop.model_io`).

    The file is written to exactly ``path`` (no ``.npz`` is appended) and atomically: the archive is
    written to a temporary file in the same directory, flushed to disk, then renamed onto ``path``. If
    anything fails, ``path`` keeps its previous contents and no temporary file is left behind.

    Parameters
    ----------
    net : Network
        The network to save: its architecture, parameters and ``training_info``.
    path : str or os.PathLike
        Destination file; ``.npz`` is the conventional extension.
    metadata : dict, optional
        Anything to keep with the model, as a JSON object: string keys; values that are dicts, lists
        (tuples are written as lists), strings, finite numbers, booleans or None.

    Raises
    ------
    TypeError
        If ``net`` is not a Network, or ``metadata`` (or ``net.training_info``) is not a JSON object.
    ValueError
        If ``metadata`` holds NaN or infinity, or the parameters are not all finite.
    OSError
        If the file cannot be written (missing directory, no permission...).
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a deltaprop Network; got {type(net).__name__}")
    header = _make_header(net, metadata)
    arrays = {}
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        for name, p in ((f"W{i}", w), (f"b{i}", b)):
            if not np.isfinite(p).all():
                raise ValueError(f"cannot save the network: {name} contains NaN or infinite values")
            arrays[name] = np.asarray(p, dtype=p.dtype.newbyteorder("<"))  # no copy on little-endian machines
    data = json.dumps(header, ensure_ascii=False, allow_nan=False).encode("utf-8")
    header_array = np.frombuffer(data, dtype=np.uint8)
    _write_atomically(os.fspath(path), lambda f: np.savez(f, header=header_array, **arrays))


def _make_header(net, metadata) -> dict:
    from . import __version__

    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict (a JSON object); got {type(metadata).__name__}")
    training = net.training_info
    if not isinstance(training, dict):
        raise TypeError(f"net.training_info must be a dict; got {type(training).__name__}")
    return {
        "format": FORMAT,
        "version": VERSION,
        "sizes": net.sizes,
        "activation": net.activation,
        "output_activation": net.output_activation,
        "loss": net.loss,
        "slope": net.slope,
        "dtype": np.dtype(net.dtype).name,
        "init": net.init,
        # A non-finite cost in the training record is written as null rather than refusing to save.
        "training": _json_value(training, "net.training_info", nonfinite_as_none=True),
        "metadata": _json_value(metadata, "metadata"),
        "deltaprop_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _json_value(value, where: str, nonfinite_as_none: bool = False):
    """Return ``value`` as plain JSON types (NumPy scalars become Python ones), or raise naming ``where``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            if nonfinite_as_none:
                return None
            raise ValueError(f"{where} is {value}; JSON has no NaN or infinity")
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                # json.dumps would silently turn 1 into "1".
                raise TypeError(f"{where} has the key {key!r}; JSON object keys must be strings")
            out[key] = _json_value(item, f"{where}[{key!r}]", nonfinite_as_none)
        return out
    if isinstance(value, (list, tuple)):
        return [_json_value(item, f"{where}[{i}]", nonfinite_as_none) for i, item in enumerate(value)]
    hint = " (use .tolist())" if isinstance(value, np.ndarray) else ""
    raise TypeError(
        f"{where} is a {type(value).__name__}{hint}; only dicts with string keys, lists, strings, numbers, "
        "booleans and None can be stored"
    )


def _write_atomically(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, make it durable, then rename it onto ``path``."""
    target = os.path.realpath(path)  # through a symbolic link, as open(path, "wb") would
    directory, name = os.path.split(target)
    fd, temporary = _create_temporary(directory, name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    # Make the rename itself durable where directories can be synced (best effort).
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    # Like tempfile.mkstemp, but created with mode 0o666 so the umask applies and the final file gets
    # the permissions any newly written file would (mkstemp's 0o600 would survive the rename).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(directory, f".{name[:100]}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file in {directory}")


# --- reading -------------------------------------------------------------------------------------


def load_network(path):
    """Read a network from a model file written by :func:`save_network`.

    The parameters are restored bit for bit, so the loaded network computes exactly what the saved one
    did. Its random generator (used for shuffling in ``fit``) is freshly seeded.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    Network
        With ``training_info`` from the file and a ``metadata`` attribute holding the dict given when saving.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a valid deltaprop model file (damaged, truncated, another kind of file, written
        by a newer deltaprop, or with parameters that do not match its header); the message names the file.
    """
    path = os.fspath(path)
    header, arrays = _read(path, keep_arrays=True)
    try:
        net = Network(
            header["sizes"],
            activation=header["activation"],
            output_activation=header["output_activation"],
            loss=header["loss"],
            dtype=header["dtype"],
            init=header["init"],
            slope=header["slope"],
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot load model file '{path}': invalid header: {exc}") from exc
    for i in range(len(header["sizes"]) - 1):
        net.weights[i][...] = arrays[f"W{i}"]
        net.biases[i][...] = arrays[f"b{i}"]
    net.training_info = header["training"]
    net.metadata = header["metadata"]
    return net


def read_header(path) -> dict:
    """Read and check a model file without building the network (for ``deltaprop info``).

    The whole file is validated as by :func:`load_network`, parameters included.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    dict
        The JSON header (keys as in the format description), with ``init``, ``training`` and ``metadata``
        filled in when absent, plus ``n_params``: the total number of parameters (computed, not stored).

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        As :func:`load_network`.
    """
    header, _ = _read(os.fspath(path), keep_arrays=False)
    sizes = header["sizes"]
    header["n_params"] = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    return header


def _read(path: str, keep_arrays: bool) -> tuple[dict, dict]:
    """Return the checked header and, with ``keep_arrays``, the parameter arrays by name."""
    with open(path, "rb") as f:  # FileNotFoundError, PermissionError... pass through as they are
        try:
            # A model file is a zip archive; anything else is not worth handing to NumPy's guesses.
            magic = f.read(6)
            if magic == b"\x93NUMPY":
                raise _FormatError("it holds a single .npy array, not an .npz archive of a model")
            if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise _FormatError("it is not a deltaprop model (not an .npz archive)")
            f.seek(0)
            loaded = np.load(f, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise _FormatError("it holds a single .npy array, not an .npz archive of a model")
            with loaded as npz:
                return _read_archive(npz, keep_arrays)
        except _FormatError as exc:
            raise ValueError(f"cannot load model file '{path}': {exc}") from None
        except MemoryError:
            raise
        except Exception as exc:
            # Damaged bytes surface as zipfile, zlib, struct, unicode or NumPy format errors, among others.
            raise ValueError(
                f"cannot load model file '{path}': it is not a valid .npz archive or it is damaged "
                f"({type(exc).__name__}: {exc})"
            ) from exc


def _read_archive(npz, keep_arrays: bool) -> tuple[dict, dict]:
    members = npz.zip.namelist()
    if len(set(members)) != len(members):
        raise _FormatError("the archive lists an array more than once")
    if "header.npy" not in members:
        found = ", ".join(repr(_strip(m)) for m in members) or "none"
        raise _FormatError(f"it has no 'header' array, so it is not a deltaprop model file (arrays: {found})")
    header = _parse_header(npz)
    sizes = header["sizes"]
    expected = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        expected[f"W{i}"] = (n_out, n_in)
        expected[f"b{i}"] = (n_out,)
    wanted = {f"{name}.npy" for name in expected}
    missing = [name for name in expected if f"{name}.npy" not in members]
    extra = sorted(_strip(m) for m in members if m != "header.npy" and m not in wanted)
    if missing or extra:
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unexpected {', '.join(extra)}"] if extra else []
        raise _FormatError(f"its arrays do not match sizes {sizes} ({'; '.join(problems)})")
    itemsize = np.dtype(header["dtype"]).itemsize
    arrays = {}
    for name, shape in expected.items():
        stored_shape, dtype = _array_header(npz, name)
        if dtype.kind != "f" or dtype.itemsize != itemsize:
            raise _FormatError(f"array {name} has dtype {dtype}, but the header says {header['dtype']}")
        if stored_shape != shape:
            raise _FormatError(f"array {name} has shape {stored_shape}, but sizes {sizes} need {shape}")
        array = npz[name]
        if not np.isfinite(array).all():
            raise _FormatError(f"array {name} contains NaN or infinite values")
        if keep_arrays:
            arrays[name] = array
    return header, arrays


def _strip(member: str) -> str:
    return member[:-4] if member.endswith(".npy") else member


def _array_header(npz, name: str) -> tuple[tuple, np.dtype]:
    """Shape and dtype of an array from its .npy header, read before its data is (so nothing huge is allocated)."""
    with npz.zip.open(f"{name}.npy") as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise _FormatError(f"array {name} is stored in .npy format version {version}, which is not used here")
    return shape, dtype


def _reject_constant(name: str):
    raise ValueError(f"the header holds {name}, which is not valid JSON")


def _parse_header(npz) -> dict:
    shape, dtype = _array_header(npz, "header")
    size = npz.zip.getinfo("header.npy").file_size
    if dtype != np.uint8 or len(shape) != 1:
        raise _FormatError(f"its 'header' array must be 1-D uint8 bytes; got dtype {dtype} and shape {shape}")
    if shape[0] > size:
        raise _FormatError(f"its 'header' array claims {shape[0]} bytes but its archive member holds {size}")
    raw = npz["header"].tobytes()
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _FormatError(f"its header is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _FormatError(f"its header is a JSON {type(header).__name__}, not an object")
    if header.get("format") != FORMAT:
        raise _FormatError(
            f"it is not a deltaprop model file: the header's format is {header.get('format')!r}, not {FORMAT!r}"
        )
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _FormatError(f"its header has an invalid format version {version!r}")
    if version > VERSION:
        from . import __version__

        raise _FormatError(
            f"it was written by a newer deltaprop (model format version {version}; deltaprop {__version__} "
            f"reads versions up to {VERSION}); upgrade deltaprop to load it"
        )
    missing = [key for key in _REQUIRED if key not in header]
    if missing:
        raise _FormatError(f"its header lacks {', '.join(missing)}")
    header.setdefault("init", "nielsen")
    header.setdefault("training", {})
    header.setdefault("metadata", {})
    try:
        # The Network constructor's own checks, so that whatever passes here also builds.
        header["sizes"] = check_sizes(header["sizes"])
        for key, choices in (("activation", ACTIVATIONS), ("output_activation", ACTIVATIONS), ("loss", LOSSES)):
            check_choice(header[key], key, choices)
        check_architecture(header["activation"], header["output_activation"], header["loss"], len(header["sizes"]) - 2)
        check_choice(header["init"], "init", INITS)
        check_choice(header["dtype"], "dtype", _DTYPES)
        header["slope"] = check_real(header["slope"], "slope", low=0.0)
    except (TypeError, ValueError) as exc:
        raise _FormatError(f"invalid header: {exc}") from None
    for key in ("training", "metadata"):
        if not isinstance(header[key], dict):
            raise _FormatError(f"invalid header: {key} must be a JSON object; got {type(header[key]).__name__}")
    return header
