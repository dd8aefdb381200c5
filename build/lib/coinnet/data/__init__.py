"""Datasets (synthetic renders, real labelled folders) and the Lightning DataModule that mixes them."""
