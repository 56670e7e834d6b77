"""Training code for the notebooks that are not about writing it.

    from source_lib.training import loops     # fit / predict / accuracy_of (01, 06, 07)
    from source_lib.training import recipes   # fast in-memory training: Recipe, TensorBatches,
                                              # train_model, Fashion-MNIST (06)
    from source_lib.training import cifar     # CIFAR-10 tensors and recipe (07)
"""
