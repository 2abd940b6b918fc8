"""The registry shape of live resources that are not runs (comparison groups, optimizer races):
at most `limit` by id (server/ids.py), a 429-worthy RegistryFull naming the way out,
get, delete (which closes the resource), sweep (what the kind says has expired) and close."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from .ids import new_id
from .runs import RegistryFull

T = TypeVar("T")


class LiveRegistry(Generic[T]):
    """Live resources of one kind; subclasses say what expires (`expired`) and what else a
    delete releases (`released`)."""

    def __init__(self, kind: str, limit: int, delete_path: str, node: str = ""):
        """kind: its name in messages ("comparison group"); delete_path: how to free one;
        node: the process's node name, which prefixes the ids."""
        self.kind = kind
        self.node = node
        self.limit = limit
        self.delete_path = delete_path
        self.items: dict[str, T] = {}

    def __len__(self) -> int:
        return len(self.items)

    def check_room(self) -> None:
        """RegistryFull unless one more fits."""
        if len(self.items) >= self.limit:
            raise RegistryFull(f"too many {self.kind}s: {len(self.items)} of {self.limit} are "
                               f"live; delete one (DELETE {self.delete_path})")

    def add(self, make: Callable[[str], T]) -> T:
        """make(new id) -> the resource, kept under that id (check_room first)."""
        self.check_room()
        rid = new_id(self.node)
        item = self.items[rid] = make(rid)
        return item

    def get(self, rid: str) -> T | None:
        return self.items.get(rid)

    def delete(self, rid: str) -> bool:
        item = self.items.pop(rid, None)
        if item is None:
            return False
        item.close()
        self.released(item)
        return True

    def released(self, item: T) -> None:
        """What else a delete frees (nothing by default)."""

    def expired(self, item: T, now: float | None) -> bool:
        """Whether sweep() forgets this one (never, by default)."""
        return False

    def sweep(self, now: float | None = None) -> None:
        for rid, item in list(self.items.items()):
            if self.expired(item, now):
                self.delete(rid)

    def close(self) -> None:
        for rid in list(self.items):
            self.delete(rid)
