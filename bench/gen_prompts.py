"""Synthetic API prompt dumps for the pipeline benchmark: deterministic, shaped like real ones.

Mostly digit-free instructions, a fifth with numbers (years, counts, prices), about 3% sharing a
long prefix with an earlier prompt (templated requests), about 2% with PII, and users drawn from a
long-tailed distribution so some pass the 200-prompt cap.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

CATEGORIES = ["brainstorming", "classification", "extract", "generation", "rewrite", "chat",
              "closed_qa", "open_qa", "summarization", "other"]
_VERBS = ["Write", "Explain", "Summarize", "List", "Describe", "Rewrite", "Translate", "Classify",
          "Brainstorm", "Compare", "Draft", "Outline"]
_TOPICS = ["the history of the printing press", "how vaccines train the immune system",
           "a bedtime story about a fox and a lantern", "the rules of cricket for a beginner",
           "why the sky is blue", "a cover letter for a junior data analyst role",
           "the plot of a mystery novel set on a train", "ways to reduce food waste at home",
           "the difference between a list and a tuple in Python", "a haiku about autumn rain",
           "the main causes of the French Revolution", "a polite complaint to a landlord",
           "how a bill becomes law", "ten names for a coffee shop", "the water cycle"]
_TAILS = ["Keep it short.", "Use simple words.", "Make it funny.", "Answer in three bullet points.",
          "Write it for a ten-year-old.", "Be formal.", "Give examples.", "Avoid jargon.",
          "End with a question.", "Explain your reasoning step by step."]
_NUMBERS = ["in 2019", "for 12 people", "under 500 words", "with 3 examples", "from 1848 to 1851",
            "at 20% off", "in 45 minutes", "for version 3.11"]
_PII = ["My email is {n}.doe{i}@gmail.com, reply there.", "Call me at (415) 555-{i4}.",
        "Ship it to {i3} Maple Street, Springfield.", "My SSN is ***-**-{i4}, is that safe?",
        "My server 93.184.{b}.{c} keeps timing out.", "See my profile linkedin.com/in/{n}-{i}."]
_NAMES = ["jane", "omar", "li", "ana", "kofi", "marta", "ivan", "sara"]


def generate(n: int, *, seed: int = 7, users: int | None = None) -> Iterator[dict]:
    rnd = random.Random(seed)
    users = users or max(1, n // 20)
    earlier: list[str] = []
    for i in range(n):
        if earlier and rnd.random() < 0.03:
            base = rnd.choice(earlier)
            text = base[:120] + " " + rnd.choice(_TAILS)
        else:
            parts = [rnd.choice(_VERBS), rnd.choice(_TOPICS)]
            if rnd.random() < 0.2:
                parts.append(rnd.choice(_NUMBERS))
            parts.append(f"(request {i:x})")  # keeps prompts apart past the 100-character prefix
            text = " ".join(parts) + ". " + " ".join(rnd.sample(_TAILS, 3))
            if rnd.random() < 0.4:
                text = f"Context note {i}: " + text
            if rnd.random() < 0.02:
                text += " " + rnd.choice(_PII).format(
                    n=rnd.choice(_NAMES), i=i, i3=100 + i % 900, i4=1000 + i % 9000,
                    b=i % 250 + 1, c=(i // 250) % 250 + 1)
            if len(earlier) < 5000:
                earlier.append(text)
        # A long tail: user k gets a share proportional to 1/(k+1).
        user = int(users ** rnd.random()) - 1
        yield {
            "id": f"p{i}",
            "text": text,
            "user_id": f"u{user}",
            "source": "api",
            "category": rnd.choice(CATEGORIES),
        }
