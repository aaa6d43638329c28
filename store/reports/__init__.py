"""What researchers read: figures computed from the stored labels, never on a labeler's path.

- `quality.quality_report`: gold agreement, speed, screening and status per labeler
  (`labeldesk quality`, the dashboard); `competence`: MACE competences; `intervals`: the
  clustered Wilson interval.
- `agreement.agreement_report`: labelers against gold and each other (`labeldesk agreement`).
- `figures`: a figure with its interval and the reason when there is none, and how a table
  shows one.

The arrows point down only: the claim path (`store.queue`, the gate in `store.quality`) never
imports a report.
"""
