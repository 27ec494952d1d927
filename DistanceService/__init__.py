"""DistanceService: delivery distance and time estimate from the restaurant to each customer."""
