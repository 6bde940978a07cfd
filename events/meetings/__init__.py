"""1:1 meetings in networking sessions: setup, wishes, the matcher run as a job, draft, publish, the day itself."""
