"""The record of a training run: one dict per epoch, with column access."""

from __future__ import annotations

# Rows shown at each end of a long history's repr.
_REPR_EDGE = 5


# Fixed decimals where they read better than significant digits.
_FORMATS = {"seconds": ".3f", "val_accuracy": ".4f"}


def _cell(column: str, value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format(value, _FORMATS.get(column, ".6g"))
    return str(value)


class History(list):
    """Per-epoch records returned by :meth:`deltaprop.Network.fit`.

    A ``list`` of dicts, one per epoch, in order. Each record has the keys ``epoch`` (1-based),
    ``cost``, ``seconds`` and, depending on the arguments of ``fit``, ``val_cost`` and
    ``val_accuracy`` (with ``validation_data``) and ``grad_norm`` (with ``tol``).

    Parameters
    ----------
    records : iterable of dict, optional
        The epoch records.
    converged : bool, optional
        Whether training stopped because the gradient norm fell below ``tol``.
    interrupted : bool, optional
        Whether training was stopped early by Ctrl-C or by the progress callback.

    Attributes
    ----------
    converged : bool
        True when ``fit`` stopped early because the gradient norm fell below ``tol``.
    interrupted : bool
        True when ``fit`` stopped before its last epoch ended, after a mini-batch, because of Ctrl-C
        (KeyboardInterrupt) or because its ``progress`` callback returned False. The interrupted
        epoch has no record; the network keeps the updates it made.

    Examples
    --------
    >>> h = History([{"epoch": 1, "cost": 0.5, "seconds": 0.1}, {"epoch": 2, "cost": 0.25, "seconds": 0.1}])
    >>> h["cost"]
    [0.5, 0.25]
    >>> h[-1]["epoch"]
    2
    """

    def __init__(self, records=(), converged: bool = False, interrupted: bool = False):
        super().__init__(records)
        self.converged = converged
        self.interrupted = interrupted

    @property
    def columns(self) -> list[str]:
        """list of str: The record keys, in the order they first appear."""
        names: dict[str, None] = {}
        for record in self:
            names.update(dict.fromkeys(record))
        return list(names)

    def __getitem__(self, key):
        """Return a column (``history["cost"]``), a record (``history[0]``) or a sub-history (``history[1:]``)."""
        if isinstance(key, str):
            columns = self.columns
            if key not in columns:
                raise KeyError(f"no column {key!r} in this history; available columns: {', '.join(columns)}")
            return [record.get(key) for record in self]
        if isinstance(key, slice):
            return History(super().__getitem__(key), self.converged, self.interrupted)
        return super().__getitem__(key)

    def __repr__(self) -> str:
        epochs = "epoch" if len(self) == 1 else "epochs"
        head = (
            f"History({len(self)} {epochs}"
            + (", converged" if self.converged else "")
            + (", interrupted" if self.interrupted else "")
            + ")"
        )
        if not self:
            return head
        columns = self.columns
        records = list(self)
        hidden = len(records) - 2 * _REPR_EDGE
        if hidden > 1:
            records = records[:_REPR_EDGE] + [None] + records[-_REPR_EDGE:]
        rows = [["..."] * len(columns) if r is None else [_cell(c, r.get(c)) for c in columns] for r in records]
        widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(columns)]
        lines = [head, "  ".join(c.rjust(w) for c, w in zip(columns, widths))]
        lines += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
        return "\n".join(lines)
