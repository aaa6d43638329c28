"""Screening quizzes, one module per job: `file` (read and validate a quiz file), `admin`
(import, assign, list), `taking` (a candidate's session and submit), `screening` (the report)."""
