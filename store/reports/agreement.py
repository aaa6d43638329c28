"""Agreement report: each labeler against researcher gold, and labelers among themselves.

Reads the ``labels`` table only. Field levels and scales come from the schema: yes/no and
category fields are nominal (unweighted kappa), scales are ordinal (kappa with quadratic weights
over the whole scale, ordinal alpha), and so are preference strengths (``ranking.strength``,
compared on output pairs: ``store.agreement.strength``). ``agreement_report`` returns the JSON document of
``interfaces.md`` (``labeldesk agreement --format json``) with ``<figure>_ci95`` intervals
beside each figure.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from store.agreement import strength
from store.agreement.metrics import (
    MIN_SHARED,
    N_BOOT,
    Estimate,
    MetricError,
    alpha_estimate_counts,
    paired_estimates_many,
)
from store.agreement.ranking import inter_annotator_ranking, ranking_estimates, ranks
from store.errors import StoreError
from store.labels import ANY_VERSION, label_filters
from store.reports.figures import figure
from store.schema import Field, Schema, load_schema
from store.strength import LEVELS

if TYPE_CHECKING:
    import sqlite_utils

# Figures whose standard error is printed, as the InstructGPT paper does for agreement rates.
_WITH_SE = {"agreement", "pairwise_agreement"}


class AgreementError(StoreError):
    """The report cannot be made: no gold, a value outside its scale, an unknown labeler."""


@dataclass(frozen=True)
class FieldSpec:
    """What the report needs of a schema field."""

    key: str  # "task.field"
    kind: str  # "scalar", "ranking" or "levels" (a strength per ranking boundary)
    level: str | None = None  # "nominal" | "ordinal" for scalars
    domain: tuple[Hashable, ...] = ()


def field_spec(schema_field: Field) -> FieldSpec | None:
    """The report's view of one schema field; ``None`` for fields agreement does not cover."""
    if schema_field.kind == "ranking":
        return FieldSpec(schema_field.qualified, "ranking")
    if schema_field.kind == "levels":
        return FieldSpec(schema_field.qualified, "levels", "ordinal")
    if schema_field.level is None:
        return None  # free text has no agreement
    return FieldSpec(
        schema_field.qualified, "scalar", schema_field.level, tuple(schema_field.scale)
    )


def schema_specs(schema: Schema) -> dict[str, FieldSpec]:
    specs = (field_spec(f) for f in schema.all_fields())
    return {spec.key: spec for spec in specs if spec is not None}


# ---------------------------------------------------------------- reading


@dataclass
class _Scalar:
    spec: FieldSpec
    index: dict[Hashable, int]
    labelers: array[int] = field(default_factory=lambda: array("i"))
    items: array[int] = field(default_factory=lambda: array("i"))
    codes: array[int] = field(default_factory=lambda: array("b"))
    gold: dict[int, int] = field(default_factory=dict)
    gold_conflicts: set[int] = field(default_factory=set)


@dataclass
class _Rankings:
    spec: FieldSpec
    votes: dict[int, list[tuple[int, list[Any]]]] = field(default_factory=lambda: defaultdict(list))
    gold: dict[int, list[Any]] = field(default_factory=dict)
    gold_conflicts: set[int] = field(default_factory=set)


@dataclass
class _Strengths:
    """`ranking.strength` values as read; compared once the rankings are read too."""

    spec: FieldSpec
    votes: dict[int, list[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(list))
    gold: dict[int, Any] = field(default_factory=dict)
    gold_conflicts: set[int] = field(default_factory=set)


_Target = _Scalar | _Rankings | _Strengths


def _value_key(value: Hashable) -> Hashable:
    return (bool, value) if isinstance(value, bool) else value


def _normal_ranking(ranking: list[Any]) -> tuple[Any, ...]:
    return tuple(tuple(sorted(group)) for group in ranking)


class _Reader:
    """Streams the labels into compact per-field columns (ids, not strings, per row)."""

    def __init__(self, specs: dict[str, FieldSpec]):
        self.specs = specs
        self.labeler_ids: dict[str, int] = {}
        self.item_ids: dict[str, int] = {}
        self.fields: dict[str, _Target] = {}
        self.unknown_fields: set[str] = set()
        self._targets: dict[tuple[str, str], _Target | None] = {}
        self.gold_rows = 0

    def _id(self, table: dict[str, int], name: str) -> int:
        found = table.get(name)
        if found is None:
            found = table[name] = len(table)
        return found

    def _field(self, key: str) -> _Target | None:
        found = self.fields.get(key)
        if found is None:
            spec = self.specs.get(key)
            if spec is None:
                self.unknown_fields.add(key)
                return None
            if spec.kind == "ranking":
                found = _Rankings(spec)
            elif spec.kind == "levels":
                found = _Strengths(spec)
            else:
                found = _Scalar(spec, {_value_key(v): i for i, v in enumerate(spec.domain)})
            self.fields[key] = found
        return found

    def add(self, labeler: str, task: str, item: str, name: str, value: Any, gold: bool) -> None:
        target = self._targets.get((task, name), _UNSEEN)
        if target is _UNSEEN:
            target = self._targets[(task, name)] = self._field(f"{task}.{name}")
        if target is None:
            return
        item_id = self.item_ids.get(item)
        if item_id is None:
            item_id = self.item_ids[item] = len(self.item_ids)
        if gold:
            self.gold_rows += 1
        if isinstance(target, _Strengths):
            if gold:
                _set_gold(target, item_id, value, lambda v: json.dumps(v))
            else:
                target.votes[item_id].append((self._id(self.labeler_ids, labeler), value))
            return
        if isinstance(target, _Rankings):
            try:
                ranks(value)
            except MetricError as exc:
                raise AgreementError(f"{_where(labeler, item, target.spec)}: {exc}") from None
            if gold:
                _set_gold(target, item_id, value, _normal_ranking)
            else:
                target.votes[item_id].append((self._id(self.labeler_ids, labeler), value))
            return
        try:
            code = target.index.get((bool, value) if isinstance(value, bool) else value)
        except TypeError:  # unhashable (a list where a number belongs)
            code = None
        if code is None:
            raise AgreementError(f"{_where(labeler, item, target.spec)}: value {value!r} is outside "
                                 f"the scale {list(target.spec.domain)!r}")
        if gold:
            _set_gold(target, item_id, code, lambda c: c)
        else:
            labeler_id = self.labeler_ids.get(labeler)
            if labeler_id is None:
                labeler_id = self.labeler_ids[labeler] = len(self.labeler_ids)
            target.labelers.append(labeler_id)
            target.items.append(item_id)
            target.codes.append(code)

    def add_rows(self, rows: Iterable[tuple[str, str, str]], gold: bool,
                 keep: set[str] | None, skip: set[str]) -> None:
        """`add` each (labeler, item, key) row, `key` being task, field and JSON value joined
        by `SEP`: a labeler's value on a scale or in categories (most rows) is found by its key
        in one look-up (its field and code, for every distinct short key), anything else is
        split and decoded (each distinct short value once) and goes through `add`."""
        decoded: dict[str, Any] = {}
        # key -> its field's three column appends and its code (bound once: most rows are these)
        known: dict[str, tuple[Callable[[int], None], Callable[[int], None],
                               Callable[[int], None], int]] = {}
        targets, item_ids, labeler_ids = self._targets, self.item_ids, self.labeler_ids
        filtering = keep is not None or bool(skip)
        for labeler, item, key in rows:
            if filtering and ((keep is not None and item not in keep) or item in skip):
                continue
            hit = known.get(key)
            if hit is None:
                task, name, text = key.split(SEP, 2)
                value = decoded.get(text, _UNSEEN)
                if value is _UNSEEN:
                    value = json.loads(text)
                    if len(text) <= _SHORT:
                        decoded[text] = value
                target = targets.get((task, name))
                if not gold and isinstance(target, _Scalar):
                    try:
                        code = target.index.get((bool, value) if isinstance(value, bool) else value)
                    except TypeError:  # unhashable (a list where a number belongs)
                        code = None
                    if code is not None:
                        hit = (target.labelers.append, target.items.append,
                               target.codes.append, code)
                        if len(text) <= _SHORT:
                            known[key] = hit
                if hit is None:  # gold, a ranking, a first row of its field, or a bad value
                    self.add(labeler, task, item, name, value, gold)
                    continue
            add_labeler, add_item, add_code, code = hit
            item_id = item_ids.get(item)
            if item_id is None:
                item_id = item_ids[item] = len(item_ids)
            labeler_id = labeler_ids.get(labeler)
            if labeler_id is None:
                labeler_id = labeler_ids[labeler] = len(labeler_ids)
            add_labeler(labeler_id)
            add_item(item_id)
            add_code(code)


STRENGTH = "strength"  # the ranking task's field of strength levels (store/schemas)
_UNSEEN: Any = object()
SEP = "\x1f"  # between task, field and value in a row's key: neither a task nor a field has it
_SHORT = 40  # JSON values decoded once per report (scalars); longer ones are decoded per row


def _where(labeler: str, item: str, spec: FieldSpec) -> str:
    return f"labeler {labeler!r}, item {item!r}, field {spec.key}"


def _set_gold(
    target: _Target, item_id: int, value: Any, normal: Callable[[Any], Hashable]
) -> None:
    # Two researchers who disagree leave no gold for the item (reported as a note).
    if item_id in target.gold and normal(target.gold[item_id]) != normal(value):
        target.gold_conflicts.add(item_id)
    target.gold.setdefault(item_id, value)


def _quiz_items(db: sqlite_utils.Database) -> set[str]:
    """Prompts and outputs of screening quizzes: they have their own report (`--quiz`)."""
    return {row[0] for row in db.execute(
        """SELECT t.item FROM tasks t WHERE t.quiz != ''
           UNION SELECT o.id FROM outputs o JOIN tasks t ON t.item = o.prompt_id
           WHERE t.quiz != ''""")}


def _read(
    db: sqlite_utils.Database, reader: _Reader, *, task: str | None, field_name: str | None,
    since: str | None, items: Collection[str] | None, version: object = ANY_VERSION,
) -> None:
    keep = set(items) if items is not None else None
    # Without an explicit selection, screening answers stay out of the production figures.
    skip = _quiz_items(db) if keep is None else set()
    # Gold stays the reference whenever it was written; only labelers' work is dated.
    for gold, after, made_under in ((True, None, ANY_VERSION), (False, since, version)):
        where, args = label_filters(task=task, since=after, gold=gold, guideline_version=made_under)
        if field_name:
            # A strength is compared on its labeler's ranking: read the rankings beside it.
            names = [field_name, "ranking"] if field_name == STRENGTH else [field_name]
            where.append(f"field IN ({', '.join('?' * len(names))})")
            args.extend(names)
        sql = f"SELECT labeler, item, task || '{SEP}' || field || '{SEP}' || value FROM labels"
        if where:
            sql += " WHERE " + " AND ".join(where)
        reader.add_rows(db.execute(sql + " ORDER BY id", args), gold, keep, skip)


# ---------------------------------------------------------------- figures


def _figures(estimates: Mapping[str, Estimate | int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, est in estimates.items():
        if not isinstance(est, Estimate):
            out[name] = est
            continue
        out.update(figure(name, est.value, est.ci95, se=est.se, with_se=name in _WITH_SE))
    return out


def _too_few(n: int, names: list[str], what: str) -> dict[str, Any]:
    out: dict[str, Any] = {"n": n}
    out.update(_figures({name: Estimate(None) for name in names}))
    out["reason"] = (
        f"no gold for this labeler's {what}" if n == 0 else f"fewer than {MIN_SHARED} shared {what}"
    )
    return out


def _scalar_per_labeler(data: _Scalar, *, seed: int, n_boot: int) -> dict[int, dict[str, Any]]:
    spec = data.spec
    ordinal = spec.level == "ordinal"
    names = ["agreement", "cohen_kappa"] + (["mean_abs_diff"] if ordinal else [])
    labelers = np.frombuffer(data.labelers, dtype=np.int32)
    items = np.frombuffer(data.items, dtype=np.int32)
    codes = np.frombuffer(data.codes, dtype=np.int8).astype(np.int64)
    gold = np.full(int(items.max()) + 1 if len(items) else 0, -1, dtype=np.int64)
    for item, code in data.gold.items():
        if item < len(gold) and item not in data.gold_conflicts:
            gold[item] = code
    gold_of_row = gold[items] if len(items) else np.empty(0, dtype=np.int64)
    order = np.argsort(labelers, kind="stable")
    bounds = np.flatnonzero(np.diff(labelers[order])) + 1
    out: dict[int, dict[str, Any]] = {}
    # Labelers with as many shared items are bootstrapped together (one index matrix a group).
    by_n: dict[int, list[tuple[int, np.ndarray]]] = defaultdict(list)
    for rows in np.split(order, bounds) if len(order) else []:
        shared = rows[gold_of_row[rows] >= 0]
        n = len(shared)
        if n < MIN_SHARED:
            out[int(labelers[rows[0]])] = _too_few(n, names, "items")
            continue
        out[int(labelers[rows[0]])] = {}  # filled below, in this order
        by_n[n].append((int(labelers[rows[0]]), shared))
    for n, group in by_n.items():
        shared_rows = np.stack([shared for _labeler, shared in group])
        many = paired_estimates_many(codes[shared_rows], gold_of_row[shared_rows],
                                     labels=spec.domain, ordinal=ordinal, seed=seed, n_boot=n_boot)
        for (labeler, _shared), estimates in zip(group, many, strict=True):
            entry = {"n": n, **_figures(estimates)}
            if estimates["cohen_kappa"].value is None:
                entry["reason"] = "kappa undefined: labeler and gold each keep to a single value"
            out[labeler] = entry
    return out


def _scalar_inter(data: _Scalar, *, seed: int, n_boot: int) -> dict[str, Any]:
    spec = data.spec
    items = np.frombuffer(data.items, dtype=np.int32)
    codes = np.frombuffer(data.codes, dtype=np.int8)
    counts = np.zeros((int(items.max()) + 1 if len(items) else 0, len(spec.domain)), np.int64)
    np.add.at(counts, (items, codes), 1)
    assert spec.level is not None  # a scalar field has a level (field_spec)
    n_items, est = alpha_estimate_counts(
        counts, domain=spec.domain, level=spec.level, seed=seed, n_boot=n_boot
    )
    entry = {
        "level": spec.level,
        "n_items": n_items,
        "n_labelers": len(set(data.labelers)),
        **_figures({"krippendorff_alpha": est}),
    }
    if n_items < MIN_SHARED:
        entry["reason"] = f"fewer than {MIN_SHARED} items labeled by two or more labelers"
    elif est.value is None:
        entry["reason"] = "alpha undefined: every labeler gave the same value"
    return entry


def _ranking_per_labeler(data: _Rankings, *, seed: int, n_boot: int) -> dict[int, dict[str, Any]]:
    by_labeler: dict[int, list[tuple[list[Any], list[Any]]]] = defaultdict(list)
    skipped: dict[int, int] = defaultdict(int)
    labelers: set[int] = set()
    for item, votes in data.votes.items():
        gold = data.gold.get(item) if item not in data.gold_conflicts else None
        for labeler, ranking in votes:
            labelers.add(labeler)
            if gold is None:
                continue
            if set(ranks(ranking)) != set(ranks(gold)):
                skipped[labeler] += 1
                continue
            by_labeler[labeler].append((ranking, gold))
    names = ["pairwise_agreement", "kendall_tau_b"]
    out = {}
    for labeler in labelers:
        pairs = by_labeler.get(labeler, [])
        if len(pairs) < MIN_SHARED:
            entry = _too_few(len(pairs), names, "prompts")
            entry["ties_excluded"] = 0
            if not pairs and skipped.get(labeler):
                entry["reason"] = "every ranking with gold covers other outputs than the gold one"
        else:
            entry = {
                "n": len(pairs),
                **_figures(ranking_estimates(pairs, seed=seed, n_boot=n_boot)),
            }
            if entry["pairwise_agreement"] is None:
                entry["reason"] = "every output pair is tied in the labeler's or gold ranking"
        if skipped.get(labeler):
            entry["skipped"] = skipped[labeler]
            entry["skipped_reason"] = "ranking and gold cover different outputs"
        out[labeler] = entry
    return out


def _ranking_inter(data: _Rankings, *, seed: int, n_boot: int) -> dict[str, Any]:
    items = [[r for _, r in votes] for votes in data.votes.values() if len(votes) >= 2]
    result = inter_annotator_ranking(items, seed=seed, n_boot=n_boot)
    entry = {
        "n_items": result.n_items,
        "labeler_pairs": result.labeler_pairs,
        **_figures({"pairwise_agreement": result.pairwise_agreement}),
    }
    if result.skipped_mismatched:
        entry["skipped"] = result.skipped_mismatched
        entry["skipped_reason"] = "two labelers' rankings of a prompt cover different outputs"
    if result.pairwise_agreement.value is None:
        entry["reason"] = "no prompt ranked by two labelers with an untied output pair"
    return entry


def _strength(
    data: _Strengths, rankings: _Target | None, levels: Sequence[str], names: Mapping[int, str],
    items: Mapping[int, str], *, seed: int, n_boot: int,
) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Per-labeler entries against gold and the between-labeler entry of a strength field."""
    index = {level: i for i, level in enumerate(levels)}
    codes = tuple(range(len(levels)))
    votes = rankings.votes if isinstance(rankings, _Rankings) else {}
    gold = rankings.gold if isinstance(rankings, _Rankings) else {}
    skip = data.gold_conflicts | (rankings.gold_conflicts if isinstance(rankings, _Rankings) else set())
    try:
        compared = strength.compare(data.votes, data.gold, votes, gold, skip, index)
    except strength.StrengthProblem as exc:
        who = names[exc.labeler] if exc.labeler is not None else "gold"
        raise AgreementError(f"{_where(who, items[exc.item], data.spec)}: {exc}") from None
    per: dict[int, dict[str, Any]] = {}
    figures = ["agreement", "cohen_kappa", "mean_abs_diff"]
    for labeler, (n, prompts, estimates) in strength.against_gold(
            compared, codes, seed=seed, n_boot=n_boot).items():
        entry = _too_few(n, figures, "output pairs") if estimates is None else {
            "n": n, **_figures(estimates)}
        entry["n_prompts"] = prompts
        if estimates is not None and estimates["cohen_kappa"].value is None:
            entry["reason"] = "kappa undefined: labeler and gold each keep to a single level"
        per[labeler] = entry
    n_units, prompts, labelers, alpha = strength.between_labelers(
        compared, codes, seed=seed, n_boot=n_boot)
    inter = {"level": "ordinal", "n_items": n_units, "n_prompts": prompts, "n_labelers": labelers,
             **_figures({"krippendorff_alpha": alpha})}
    if n_units < MIN_SHARED:
        inter["reason"] = (f"fewer than {MIN_SHARED} output pairs two labelers put side by side "
                           "in the same order")
    elif alpha.value is None:
        inter["reason"] = "alpha undefined: every labeler gave the same level"
    return per, inter


def agreement_report(
    db: sqlite_utils.Database,
    *,
    schema: Schema | None = None,
    labeler: str | None = None,
    task: str | None = None,
    field: str | None = None,
    since: str | None = None,
    items: Collection[str] | None = None,
    seed: int = 0,
    n_boot: int = N_BOOT,
    guideline_version: object = ANY_VERSION,
    strength_levels: Sequence[str] = LEVELS,
) -> dict[str, Any]:
    """The agreement document: ``per_labeler`` (against gold) and ``inter_annotator``.

    ``items`` restricts every figure to those item ids (a quiz's items, for instance).
    ``labeler`` narrows ``per_labeler``; between-labeler figures always use every labeler.
    ``guideline_version`` (a version, or None for labels from before versions) keeps only the
    labelers' labels made under it; gold is the reference whatever its version.
    ``strength_levels`` (``[comparison] strength_levels``, strongest first) orders the levels of
    ``ranking.strength``.
    Raises ``AgreementError`` when there is no gold to compare with, a stored value is outside
    its field's scale, or ``labeler`` has no labels in the selection.
    """
    schema = schema or load_schema()
    reader = _Reader(schema_specs(schema))
    _read(db, reader, task=task, field_name=field, since=since, items=items,
          version=guideline_version)
    selection = " ".join(
        f"{k}={v}" for k, v in (("task", task), ("field", field), ("since", since)) if v
    )
    if not reader.gold_rows:
        raise AgreementError(
            "no gold labels"
            + (f" for {selection}" if selection else "")
            + ": researchers label gold in the app, or import it with"
            " `labeldesk import labels FILE --gold`"
        )
    if labeler is not None and labeler not in reader.labeler_ids:
        raise AgreementError(
            f"labeler {labeler!r} has no labels" + (f" for {selection}" if selection else "")
        )
    names = {i: name for name, i in reader.labeler_ids.items()}
    per_labeler: dict[str, dict[str, Any]] = defaultdict(dict)
    inter: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for key in sorted(reader.fields):
        data = reader.fields[key]
        if field and key.rpartition(".")[2] != field:
            continue  # read only for another field (the rankings a strength is compared on)
        if isinstance(data, _Strengths):
            item_names = {i: name for name, i in reader.item_ids.items()}
            per, inter[key] = _strength(
                data, reader.fields.get(key.rpartition(".")[0] + ".ranking"), strength_levels,
                names, item_names, seed=seed, n_boot=n_boot)
        elif isinstance(data, _Rankings):
            per = _ranking_per_labeler(data, seed=seed, n_boot=n_boot)
            inter[key] = _ranking_inter(data, seed=seed, n_boot=n_boot)
        else:
            per = _scalar_per_labeler(data, seed=seed, n_boot=n_boot)
            inter[key] = _scalar_inter(data, seed=seed, n_boot=n_boot)
        for labeler_id, entry in per.items():
            per_labeler[names[labeler_id]][key] = entry
        if data.gold_conflicts:
            notes.append(
                f"{key}: gold labels disagree on {len(data.gold_conflicts)} item(s);"
                " those items are left out of the comparison with gold"
            )
    # Free-text fields (a demonstration's text) are in the schema but have no agreement figure:
    # only fields the schema does not know are worth a note.
    in_schema = {f.qualified for f in schema.all_fields()}
    for key in sorted(reader.unknown_fields - in_schema):
        notes.append(f"{key}: not a field of the schema; left out")
    if labeler is not None:
        per_labeler = {labeler: per_labeler.get(labeler, {})}
    report = {
        "per_labeler": {name: per_labeler[name] for name in sorted(per_labeler)},
        "inter_annotator": inter,
        "bootstrap": {"seed": seed, "resamples": n_boot, "interval": "percentile 95%, over items"},
    }
    if notes:
        report["notes"] = notes
    return report
