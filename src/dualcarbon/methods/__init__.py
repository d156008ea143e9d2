"""Calculation methods: pure functions over activity frames, one module per method of the standards."""
