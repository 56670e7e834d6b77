"""Notebook 10 (detection): the synthetic shapes dataset, the tiny YOLO-style detector and
its training loop. The graded functions (iou, nms, localisation_loss, encode_grid,
decode_grid, fc_to_conv) are the student's: they are passed in, never implemented here."""
