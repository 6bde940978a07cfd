"""Events: welcome days, their programme, registration, employers, matching and agendas."""
