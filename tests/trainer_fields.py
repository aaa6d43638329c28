"""What the trainers themselves read, copied from their sources so the export tests check our
records against the trainers' field names rather than against our own.

TRL (huggingface/trl at f2cd577, 2026-07): `is_conversational` is trl/data_utils.py's, verbatim
but for the docstring; the columns are those of docs/source/dataset_formats.md ("Preference",
"Unpaired preference") and of the trainers: RewardTrainer tokenizes `chosen`/`rejected` (with
`prompt` prepended when present) and its collator reads an optional float `margin`
(trl/trainer/reward_trainer.py); DPOTrainer reads `prompt`, `chosen`, `rejected`; KTOTrainer
`prompt`, `completion` and a bool `label` (trl/trainer/kto_trainer.py). OpenAI's preference
fine-tuning JSONL (the DPO guide): `input.messages`, `preferred_output` and
`non_preferred_output`, each output one assistant message.

Read again at huggingface/trl 00b6d2b (2026-12): RewardTrainer's loss is still
`-logsigmoid(rewards_chosen - rewards_rejected - inputs["margin"])` when a `margin` column is
there, and its signature columns are `chosen_ids`, `rejected_ids` and `margin`, so with
`remove_unused_columns` (the default) every other column of ours (ids, labeler, strength,
reason, individual, …) is dropped before batching. Its tokenizer step reads `tools` and
`chat_template_kwargs` from an example and takes a dataset with `chosen_ids`/`rejected_ids`
(or the older `chosen_input_ids`/`rejected_input_ids`) as already tokenized: those names, and
`is_conversational`'s `completion` and `messages`, must never be a column of ours in a
preference record (`TRL_READS_OTHERWISE`). The collator decides whether a batch has margins
from its first example only (`if "margin" in examples[0]`), hence docs/exports.md's advice to
keep only the pairs with a margin.
"""

from __future__ import annotations

from typing import Any

TRL_PREFERENCE = {"prompt", "chosen", "rejected"}
TRL_REWARD_OPTIONAL = {"margin"}
TRL_UNPAIRED = {"prompt", "completion", "label"}
OPENAI_PREFERENCE = {"input", "preferred_output", "non_preferred_output"}
ROLES = {"system", "user", "assistant"}
TRL_READS_OTHERWISE = {"chosen_ids", "rejected_ids", "chosen_input_ids", "rejected_input_ids",
                       "tools", "chat_template_kwargs"}


def is_conversational(example: dict[str, Any]) -> bool:  # trl/data_utils.py
    supported_keys = ["prompt", "chosen", "rejected", "completion", "messages"]
    example_keys = {key for key in example.keys() if key in supported_keys}

    # It must have one of the supported keys
    if example_keys:
        key = example_keys.pop()  # take the first supported key
        maybe_messages = example[key]
        # It must be a list of messages
        if isinstance(maybe_messages, list):
            maybe_message = maybe_messages[0]
            # Each message must a list of dictionaries with keys "role" and "content"
            if isinstance(maybe_message, dict) and "role" in maybe_message:
                return True

    return False


def check_messages(messages: Any, *, last: str | None = None) -> None:
    """A list of {"role", "content"} messages with known roles and string content."""
    assert isinstance(messages, list) and messages
    for m in messages:
        assert set(m) == {"role", "content"} and m["role"] in ROLES and isinstance(m["content"], str)
    if last:
        assert messages[-1]["role"] == last


def check_trl_pair(record: dict[str, Any], *, conversational: bool) -> None:
    assert TRL_PREFERENCE <= set(record)
    assert not (TRL_READS_OTHERWISE | {"completion", "messages"}) & set(record)
    assert is_conversational(record) is conversational
    if conversational:
        check_messages(record["prompt"], last="user")
        for side in ("chosen", "rejected"):
            check_messages(record[side])
            assert [m["role"] for m in record[side]] == ["assistant"]
        # TRL's implicit-prompt form is prompt + chosen: still a conversation ending with the answer.
        check_messages(record["prompt"] + record["chosen"], last="assistant")
    else:
        assert all(isinstance(record[k], str) for k in TRL_PREFERENCE)
    if "margin" in record:
        assert isinstance(record["margin"], float) and record["margin"] >= 0


def check_trl_unpaired(record: dict[str, Any], *, conversational: bool) -> None:
    assert TRL_UNPAIRED <= set(record) and isinstance(record["label"], bool)
    assert not (TRL_READS_OTHERWISE | {"chosen", "rejected", "messages"}) & set(record)
    assert is_conversational(record) is conversational
    if conversational:
        check_messages(record["prompt"], last="user")
        check_messages(record["completion"])
        assert [m["role"] for m in record["completion"]] == ["assistant"]
    else:
        assert isinstance(record["prompt"], str) and isinstance(record["completion"], str)


def check_openai_pair(record: dict[str, Any]) -> None:
    assert set(record) == OPENAI_PREFERENCE and set(record["input"]) == {"messages"}
    check_messages(record["input"]["messages"], last="user")
    for side in ("preferred_output", "non_preferred_output"):
        check_messages(record[side])
        assert [m["role"] for m in record[side]] == ["assistant"]
