"""Transfer learning (notebook 08): the network, the tasks, the backbones, cached features.

    from source_lib.transfer.tasks import source_task, target_task, few_labels, fashion_task
    from source_lib.transfer.model import TransferNet, STAGES, trainable_after
    from source_lib.transfer.backbones import load_backbone     # ImageNet or the course's
    from source_lib.transfer.features import cached_features, loader
    from source_lib.transfer.training import fit, evaluate, fit_linear_probe
    from source_lib.transfer.plots import plot_accuracy_vs_labels, plot_embeddings, show_neighbours

The course backbone is pretrained by ``python -m source_lib.pretrain`` (cached).
"""
