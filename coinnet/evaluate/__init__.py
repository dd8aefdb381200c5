"""Evaluation on labelled real photos, torch-free: ``python -m coinnet.evaluate --data FOLDER``.

``cli`` (run the predictor, write metrics.json, predictions.csv, report.html) -> ``score`` (accuracy per field
and group) -> ``metrics`` (the numbers), ``calibrate`` (temperature, thresholds), ``report`` (the HTML page).
"""
