"""OrderService: the order workflow from placing to delivered or cancelled."""
