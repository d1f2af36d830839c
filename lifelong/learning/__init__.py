"""The lifelong learning platform: resource matrix, enrolment, progress, certificates."""
