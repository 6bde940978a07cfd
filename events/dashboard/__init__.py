"""The staff dashboard: the day's figures, live panels and charts."""
