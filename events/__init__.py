"""Events: welcome days, their programme, registration, employers, matching and agendas."""

# The composition root loads first, whatever is imported first: it imports every feature, in order.
import app  # noqa: E402,F401
