"""The data rules applied inside `store.imports.import_prompts` (its ``rules`` hook).

`PromptRules.apply(row)` is called on each new prompt row before it is inserted and sets its
``status``, ``reason``, ``split`` (and ``tasks`` for PII routed to instruction labeling). With
``api_rules`` off it only fills in a missing split, so every prompt has one (interfaces.md: "split
is computed when absent").
"""

from __future__ import annotations

import json
from typing import TextIO

import sqlite_utils

from store.rules import ApiRules, RulesConfig, RulesReport


class PromptRules:
    def __init__(
        self,
        config: RulesConfig | None = None,
        *,
        api_rules: bool = True,
        dropped_sink: TextIO | None = None,
    ) -> None:
        self.config = config or RulesConfig()
        self.api_rules = api_rules
        self.rules = ApiRules(self.config)
        self.report = RulesReport(dropped_sink=dropped_sink)

    def seed(self, db: sqlite_utils.Database) -> None:
        """Count the API prompts already stored: a later import continues their prefixes and caps."""
        if not self.api_rules:
            return
        for pid, text, user_id, status, reason in db.execute(
            "SELECT id, text, user_id, status, reason FROM prompts WHERE source = 'api' ORDER BY rowid"
        ):
            self.rules.remember(pid, text, user_id, kept=status == "pool" and reason is None)

    def apply(self, row: dict) -> None:
        if self.api_rules and row["source"] is None:
            row["source"] = "api"
        # Every row gets the same columns: the importer inserts batches by the first row's keys.
        row["status"], row["reason"] = "pool", None
        if not self.api_rules or row["source"] != "api":
            row["split"] = row["split"] or self.rules.split_of(row["id"], row["user_id"])
            return
        verdict = self.rules.check(row["id"], row["text"], row["user_id"])
        self.report.add(row["id"], verdict)
        row["status"] = verdict.status
        row["reason"] = verdict.reason
        # The user's hash decides, not the file: a given split could put a user in two.
        row["split"] = verdict.split
        if verdict.tasks is not None:
            row["tasks"] = json.dumps(list(verdict.tasks))
