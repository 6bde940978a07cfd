"""After the day: who came (from the door's check-ins), certificates of attendance, the funders' report."""
