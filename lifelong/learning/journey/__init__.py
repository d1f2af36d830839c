"""The learning journey: enrolment, per-type progress rules, players and the xAPI outbox."""
