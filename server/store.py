"""The store: saved runs and uploaded (or drawn) datasets, so that nothing a user made is lost.

One SQLite file, `<data_dir>/nn-playground.sqlite3`, created on first use (stdlib sqlite3, WAL
journal, so several server processes on ONE host can share it). Everything above this module
speaks to `Store`'s methods only, never SQL: a PostgreSQL store for processes on several hosts
is another implementation of the same methods (README, "Several server processes").

- Datasets are content-addressed: the id is a hash of the points, so the same points always get
  the same id (a drawn set re-sent is not stored twice, a reopened run finds its data again).
  Bounded by count and bytes; the least recently used go first.
- Saved runs hold a whole TrainerState (engine/saved_state.py: config, weights, optimizer
  state, shuffle position, history, trajectory, custom points). "user" saves (POST .../save) are
  kept until deleted; past their bounds a save is refused (StoreFull). "expired" and "shutdown"
  saves (automatic) are bounded separately and the oldest are dropped first.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

from engine.custom_data import CustomData
from engine.saved_state import state_from_bytes, state_to_bytes
from engine.trainer import TrainerState

from .settings import Settings
from .snapshot import plain

FILE_NAME = "nn-playground.sqlite3"
AUTOMATIC = ("expired", "shutdown")
REASONS = ("user", *AUTOMATIC)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, rows INTEGER NOT NULL, input_dim INTEGER NOT NULL,
    domain TEXT NOT NULL, x BLOB NOT NULL, y BLOB NOT NULL, source TEXT NOT NULL,
    bytes INTEGER NOT NULL, created REAL NOT NULL, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS saved_runs (
    id TEXT PRIMARY KEY, reason TEXT NOT NULL, run_id TEXT, created REAL NOT NULL,
    step INTEGER NOT NULL, summary TEXT NOT NULL, state BLOB NOT NULL, bytes INTEGER NOT NULL,
    owner_hash TEXT);
CREATE INDEX IF NOT EXISTS saved_runs_by_run ON saved_runs (run_id);
"""


class StoreFull(Exception):
    """A user save past the bounds of saved runs."""


def dataset_id(data: CustomData) -> str:
    """The content hash of a dataset's points, kind and domain (24 hex digits)."""
    h = hashlib.sha256()
    h.update(json.dumps([data.kind, [list(d) for d in data.domain], list(data.x.shape)]).encode())
    h.update(np.ascontiguousarray(data.x, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(data.y, dtype="<f8").tobytes())
    return h.hexdigest()[:24]


def run_summary(state: TrainerState) -> dict:
    """What a list of saved runs shows: dataset, network, optimizer, step, last losses."""
    cfg = state.config
    last = state.history[-1] if state.history else {}
    return {"dataset": cfg.dataset, "custom_dataset": cfg.custom_dataset, "hidden": cfg.hidden,
            "activation": cfg.activation, "optimizer": cfg.optimizer,
            "learning_rate": cfg.learning_rate, "step": state.step_count,
            "epoch": state.epoch, "status": state.status,
            "train_loss": last.get("train_loss"), "test_loss": last.get("test_loss")}


class Store:
    """Saved runs and datasets in one SQLite file under settings.data_dir (opened lazily)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = Path(settings.data_dir) / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ connection
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False,
                                 isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=10000")
            db.executescript(_SCHEMA)
            _add_owner_column(db)
            self._db = db
        return self._db

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn().execute(sql, params).fetchall()

    def _transaction(self, work) -> object:
        """work(connection) inside BEGIN IMMEDIATE ... COMMIT (other processes wait)."""
        with self._lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # ------------------------------------------------------------------ datasets
    def put_dataset(self, data: CustomData, source: str = "csv") -> str:
        """Store the points (or refresh them if already stored); returns their id."""
        did = dataset_id(data)
        x = np.ascontiguousarray(data.x, dtype="<f8").tobytes()
        y = np.ascontiguousarray(data.y, dtype="<f8").tobytes()
        now = time.time()
        s = self.settings

        def work(db):
            db.execute("INSERT INTO datasets VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO "
                       "UPDATE SET used = excluded.used",
                       (did, data.kind, data.rows, data.input_dim,
                        json.dumps([list(d) for d in data.domain]), x, y, source,
                        len(x) + len(y), now, now))
            _drop_oldest(db, "datasets", "used", "1=1", s.max_datasets,
                         s.max_dataset_store_bytes, keep=did)
        self._transaction(work)
        return did

    def get_dataset(self, did: str) -> CustomData | None:
        rows = self._run("SELECT kind, input_dim, domain, x, y FROM datasets WHERE id = ?", (did,))
        if not rows:
            return None
        kind, dim, domain, x, y = rows[0]
        self._run("UPDATE datasets SET used = ? WHERE id = ?", (time.time(), did))
        return CustomData(np.frombuffer(x, dtype="<f8").reshape(-1, dim).copy(),
                          np.frombuffer(y, dtype="<f8").copy(), kind,
                          tuple(tuple(d) for d in json.loads(domain)))

    def dataset_info(self, did: str) -> dict | None:
        rows = self._run("SELECT kind, rows, input_dim, domain, source FROM datasets WHERE id = ?",
                         (did,))
        if not rows:
            return None
        kind, n, dim, domain, source = rows[0]
        return {"id": did, "kind": kind, "rows": n, "input_dim": dim,
                "domain": json.loads(domain), "source": source}

    # ------------------------------------------------------------------ saved runs
    def save_run(self, state: TrainerState, reason: str = "user",
                 run_id: str | None = None, owner_hash: str | None = None) -> str:
        """Store a run's whole state; returns the saved id. A "user" save past the bounds raises
        StoreFull; an automatic one drops the oldest automatic saves instead. `owner_hash`: the
        hash of the token that may delete it (server/run_access.py; None: nobody)."""
        if reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}, got {reason!r}")
        blob = state_to_bytes(state)
        saved_id = secrets.token_urlsafe(12)
        s = self.settings
        summary = json.dumps(plain(run_summary(state)))

        def work(db):
            if reason == "user":
                count, total = db.execute("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM "
                                          "saved_runs WHERE reason = 'user'").fetchone()
                if count >= s.max_saved_runs or total + len(blob) > s.max_saved_bytes:
                    raise StoreFull(
                        f"the store holds {count} saved runs ({total / 2**20:.1f} MiB) of at "
                        f"most {s.max_saved_runs} ({s.max_saved_bytes / 2**20:.0f} MiB): "
                        "delete one (DELETE /api/saved/{saved_id}) first")
            db.execute("INSERT INTO saved_runs (id, reason, run_id, created, step, summary, "
                       "state, bytes, owner_hash) VALUES (?,?,?,?,?,?,?,?,?)",
                       (saved_id, reason, run_id, time.time(), state.step_count, summary, blob,
                        len(blob), owner_hash))
            if reason != "user":
                _drop_oldest(db, "saved_runs", "created", "reason != 'user'",
                             s.max_autosaved_runs, s.max_autosaved_bytes, keep=saved_id)
        self._transaction(work)
        return saved_id

    def list_saved(self, run_id: str | None = None, limit: int = 500) -> list[dict]:
        """Saved runs, newest first (only those of one live-run id when given)."""
        where, params = ("WHERE run_id = ?", (run_id,)) if run_id else ("", ())
        rows = self._run(f"SELECT id, reason, run_id, created, step, summary, bytes FROM "
                         f"saved_runs {where} ORDER BY created DESC LIMIT ?", (*params, limit))
        return [{"saved_id": sid, "reason": reason, "run_id": rid, "saved_at": created,
                 "step": step, "summary": json.loads(summary), "bytes": size}
                for sid, reason, rid, created, step, summary, size in rows]

    def load_saved(self, saved_id: str) -> TrainerState | None:
        rows = self._run("SELECT state FROM saved_runs WHERE id = ?", (saved_id,))
        return state_from_bytes(rows[0][0]) if rows else None

    def saved_owner(self, saved_id: str) -> tuple[bool, str | None]:
        """(whether the saved run exists, the hash of its owner's token: None when it was
        stored before owners were kept)."""
        rows = self._run("SELECT owner_hash FROM saved_runs WHERE id = ?", (saved_id,))
        return (True, rows[0][0]) if rows else (False, None)

    def delete_saved(self, saved_id: str) -> bool:
        def work(db):
            return db.execute("DELETE FROM saved_runs WHERE id = ?", (saved_id,)).rowcount > 0
        return bool(self._transaction(work))


def _add_owner_column(db) -> None:
    """A store made before saved runs had owners gets the column (its rows keep NULL)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(saved_runs)")}
    if "owner_hash" not in columns:
        try:
            db.execute("ALTER TABLE saved_runs ADD COLUMN owner_hash TEXT")
        except sqlite3.OperationalError:   # another process added it just now
            pass


def _drop_oldest(db, table: str, age: str, where: str, max_count: int, max_bytes: int,
                 keep: str) -> None:
    """Delete the oldest rows (by column `age`) matching `where` until at most max_count rows
    and max_bytes bytes remain; the row `keep` (just written) goes last."""
    rows = db.execute(f"SELECT id, bytes FROM {table} WHERE {where} ORDER BY "
                      f"(id = ?) DESC, {age} DESC", (keep,)).fetchall()
    total, kept = 0, 0
    for rid, size in rows:
        if kept < max_count and (total + size <= max_bytes or kept == 0):
            total += size
            kept += 1
        else:
            db.execute(f"DELETE FROM {table} WHERE id = ?", (rid,))
