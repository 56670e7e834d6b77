"""Right and wrong implementations of 08_transfer_learning's graded functions (the demo grades
DEMO; the test suite grades all of them: see grader.authoring.implementations).

Right ones are written the ways students write them (other ways to keep a batch norm still,
names instead of ids, inference mode, a head sized by running the backbone); wrong ones make
one slip each, the misconceptions the issue names among them. None hands in a checkpoint
(``_NO_FILE``): grading one costs seconds, and the reference covers it; the demo's samples
(DEMO) do.
"""

from grader.authoring.implementations import Implementation

_NO_FILE = {"transfer.pt": None}
# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("freeze_then_eval", "extract_in_train_mode", "groups_lr_swapped")


def _impl(student, description, cells, loses=None, **options):
    # the demo's samples hand in the reference's transfer.pt (built on first use:
    # reference_model.py): a TA sees each mistake cost
    # only its own part
    files = {} if student in DEMO else _NO_FILE
    return Implementation(student, description, cells, loses or {}, files=files, **options)


# ---------------------------------------------------------------- freeze, right
_FREEZE_MOMENTUM_ZERO = '''def freeze(model, trainable=("head",)):
    keep = lambda name: any(name == t or name.startswith(t + ".") for t in trainable)
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            if not hasattr(module, "usual_momentum"):
                module.usual_momentum = module.momentum
            # momentum 0: running = 1 * running + 0 * batch, the statistics never move
            module.momentum = module.usual_momentum if keep(name) else 0.0
    for name, p in model.named_parameters():
        p.requires_grad = keep(name)
    return model
'''
_FREEZE_HOOKS = '''def _force_eval(module, inputs):
    module.training = False


def freeze(model, trainable=("head",)):
    def keep(name):
        return any(name == t or name.startswith(t + ".") for t in trainable)
    for name, module in model.named_modules():
        for p in module.parameters(recurse=False):
            p.requires_grad_(keep(name))
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            handle = getattr(module, "eval_hook", None)
            if handle is not None:
                handle.remove()
                module.eval_hook = None
            if not keep(name):
                module.eval_hook = module.register_forward_pre_hook(_force_eval)
    return model
'''
_FREEZE_TRACK_STATS = '''def freeze(model, trainable=("head",)):
    prefixes = tuple(t + "." for t in trainable)
    def trains(name):
        return name in trainable or name.startswith(prefixes)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = trains(name)
    for name, module in model.named_modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            # a batch norm that does not track statistics leaves its buffers alone
            module.track_running_stats = trains(name)
    return model
'''

# ---------------------------------------------------------------- freeze, wrong
_FREEZE_THEN_EVAL = '''def freeze(model, trainable=("head",)):
    for name, parameter in model.named_parameters():
        parameter.requires_grad = any(name.startswith(t + ".") for t in trainable)
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d) and not any(name.startswith(t) for t in trainable):
            module.eval()
    return model
'''
_FREEZE_FLAGS_ONLY = '''def freeze(model, trainable=("head",)):
    for name, parameter in model.named_parameters():
        parameter.requires_grad = any(name.startswith(t + ".") for t in trainable)
    return model
'''
_FREEZE_EVERYTHING = '''def freeze(model, trainable=("head",)):
    for parameter in model.parameters():
        parameter.requires_grad = False
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = 0.0
    return model
'''
_FREEZE_TOP_LEVEL = '''def freeze(model, trainable=("head",)):
    for name, child in model.named_children():
        child.requires_grad_(name in trainable)
        for module in child.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.momentum = 0.1 if name in trainable else 0.0
    return model
'''
_FREEZE_NEVER_UNFREEZES = '''def freeze(model, trainable=("head",)):
    for name, module in model.named_modules():
        if any(name == t or name.startswith(t + ".") for t in trainable):
            continue
        for parameter in module.parameters(recurse=False):
            parameter.requires_grad = False
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = 0.0
    return model
'''
_FREEZE_ALL_NORMS = '''def freeze(model, trainable=("head",)):
    for name, parameter in model.named_parameters():
        parameter.requires_grad = any(name.startswith(t + ".") for t in trainable)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = 0.0   # every batch norm, the trainable ones too
    return model
'''
_FREEZE_COPY = '''import copy


def freeze(model, trainable=("head",)):
    model = copy.deepcopy(model)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = any(name == t or name.startswith(t + ".") for t in trainable)
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = 0.1 if any(name == t or name.startswith(t + ".") for t in trainable) else 0.0
    return model
'''

# ---------------------------------------------------------------- extract_features
_EXTRACT_INFERENCE = '''def extract_features(backbone, loader):
    backbone.eval()
    chunks, targets = [], []
    with torch.inference_mode():
        for batch in loader:
            images, labels = batch
            chunks.append(backbone(images).flatten(1))
            targets.extend(labels.tolist())
    return torch.cat(chunks), torch.tensor(targets)
'''
_EXTRACT_PREALLOCATED = '''def extract_features(backbone, loader):
    mode = backbone.training
    backbone.train(False)
    torch.set_grad_enabled(False)
    try:
        out, labels, start = None, [], 0
        for images, y in loader:
            f = backbone(images)
            if out is None:
                out = torch.empty(len(loader.sampler), f.shape[1])
            out[start:start + len(f)] = f
            start += len(f)
            labels.append(y)
    finally:
        torch.set_grad_enabled(True)
        backbone.train(mode)
    return out, torch.cat(labels)
'''
_EXTRACT_TRAIN_MODE = '''def extract_features(backbone, loader):
    features, labels = [], []
    with torch.no_grad():
        for images, y in loader:
            features.append(backbone(images))
            labels.append(y)
    return torch.cat(features), torch.cat(labels)
'''
_EXTRACT_WITH_GRADIENTS = '''def extract_features(backbone, loader):
    backbone.eval()
    features, labels = [], []
    for images, y in loader:
        features.append(backbone(images).detach())
        labels.append(y)
    return torch.cat(features), torch.cat(labels)
'''
_EXTRACT_DATASET_ORDER = '''def extract_features(backbone, loader):
    backbone.eval()
    images, labels = loader.dataset.tensors
    with torch.no_grad():
        return backbone(images), labels
'''
_EXTRACT_FREEZES = '''def extract_features(backbone, loader):
    backbone.eval()
    backbone.requires_grad_(False)
    features, labels = [], []
    for images, y in loader:
        features.append(backbone(images))
        labels.append(y)
    return torch.cat(features), torch.cat(labels)
'''
_EXTRACT_TWICE = '''def extract_features(backbone, loader):
    backbone.eval()
    with torch.no_grad():
        width = backbone(next(iter(loader))[0]).shape[1]
        features, labels = torch.zeros(0, width), []
        for images, y in loader:
            features = torch.cat([features, backbone(images)])
            labels.append(y)
    return features, torch.cat(labels)
'''

# ---------------------------------------------------------------- param_groups
_GROUPS_BY_NAME = '''def param_groups(model, lr_backbone, lr_head):
    backbone, head = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (head if name.startswith("head.") else backbone).append(parameter)
    groups = [{"params": backbone, "lr": lr_backbone}, {"params": head, "lr": lr_head}]
    return [group for group in groups if group["params"]]
'''
_GROUPS_GENERATORS = '''def param_groups(model, lr_backbone, lr_head):
    head_ids = set(map(id, model.head.parameters()))
    return [dict(params=(p for p in model.parameters() if p.requires_grad and id(p) not in head_ids),
                 lr=lr_backbone),
            dict(params=filter(lambda p: p.requires_grad, model.head.parameters()), lr=lr_head,
                 weight_decay=0.0)]
'''
_GROUPS_SWAPPED = '''def param_groups(model, lr_backbone, lr_head):
    head = [p for p in model.head.parameters() if p.requires_grad]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    return [{"params": head, "lr": lr_backbone}, {"params": rest, "lr": lr_head}]
'''
_GROUPS_HEAD_TWICE = '''def param_groups(model, lr_backbone, lr_head):
    return [{"params": [p for p in model.parameters() if p.requires_grad], "lr": lr_backbone},
            {"params": list(model.head.parameters()), "lr": lr_head}]
'''
_GROUPS_WITH_FROZEN = '''def param_groups(model, lr_backbone, lr_head):
    rest = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    return [{"params": rest, "lr": lr_backbone},
            {"params": list(model.head.parameters()), "lr": lr_head}]
'''
_GROUPS_NO_LR = '''def param_groups(model, lr_backbone, lr_head):
    rest = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    head = [p for p in model.head.parameters() if p.requires_grad]
    return [{"params": rest}, {"params": head, "lr": lr_head}]
'''
_GROUPS_HEAD_ONLY = '''def param_groups(model, lr_backbone, lr_head):
    return [{"params": list(model.head.parameters()), "lr": lr_head}]
'''

_FREEZE_IMPLEMENTATIONS = [
    _impl("freeze_momentum_zero", "frozen batch norms get momentum 0", {"freeze": _FREEZE_MOMENTUM_ZERO}),
    _impl("freeze_forward_hooks", "a forward pre-hook keeps frozen batch norms in eval mode",
          {"freeze": _FREEZE_HOOKS}),
    _impl("freeze_track_running_stats", "frozen batch norms stop tracking statistics",
          {"freeze": _FREEZE_TRACK_STATS}),
    _impl("freeze_then_eval", "frozen batch norms put in eval mode, undone by model.train()",
          {"freeze": _FREEZE_THEN_EVAL},
          {"test_freeze": "puts them back in training mode"},
          only={"test_freeze": ("Frozen batch norms keep",)}),
    _impl("freeze_flags_only", "requires_grad only: batch norms keep updating",
          {"freeze": _FREEZE_FLAGS_ONLY},
          {"test_freeze": "stops the weights, not a batch norm's running"},
          only={"test_freeze": ("Frozen batch norms keep",)}),
    _impl("freeze_everything", "the head is frozen too", {"freeze": _FREEZE_EVERYTHING},
          {"test_freeze": "every parameter is frozen"},
          only={"test_freeze": ("Only the parts named",)}),
    _impl("freeze_top_level_names", "only the model's children are matched against trainable",
          {"freeze": _FREEZE_TOP_LEVEL}, {"test_freeze": "only the model's direct children"},
          only={"test_freeze": ("A dotted name",)}),
    _impl("freeze_never_unfreezes", "never sets requires_grad=True",
          {"freeze": _FREEZE_NEVER_UNFREEZES},
          {"test_freeze": "only ever sets requires_grad=False"},
          only={"test_freeze": ("Freezing again",)}),
    _impl("freeze_all_norms", "every batch norm stops, the trainable ones too",
          {"freeze": _FREEZE_ALL_NORMS},
          {"test_freeze": "the batch norms of the trainable parts"},
          only={"test_freeze": ("The parts named",)}),
    _impl("freeze_returns_a_copy", "freezes a deep copy and returns it",
          {"freeze": _FREEZE_COPY}, {"test_freeze": "returned a frozen copy"},
          only={"test_freeze": ("Only the parts named",)}),
]

# ---------------------------------------------------------------- replace_head
_HEAD_BY_RUNNING = '''def replace_head(model, num_classes):
    with torch.no_grad():
        width = model.backbone.eval()(torch.zeros(1, 3, 32, 32)).shape[1]
    model.backbone.train()
    model.head = nn.Linear(width, num_classes)
    return model
'''
_HEAD_SETATTR = '''def replace_head(model, num_classes):
    new_head = nn.Linear(model.head.weight.shape[1], num_classes)
    nn.init.zeros_(new_head.bias)
    setattr(model, "head", new_head)
    return model
'''
_HEAD_OLD_CLASSES = '''def replace_head(model, num_classes):
    model.head = nn.Linear(model.head.in_features, model.head.out_features)
    return model
'''
_HEAD_SWAPPED = '''def replace_head(model, num_classes):
    model.head = nn.Linear(model.head.out_features, num_classes)
    return model
'''
_HEAD_HARD_CODED = '''def replace_head(model, num_classes):
    model.head = nn.Linear(16, num_classes)
    return model
'''
_HEAD_REUSED = '''def replace_head(model, num_classes):
    old = model.head
    new = nn.Linear(old.in_features, num_classes)
    with torch.no_grad():
        rows = min(num_classes, old.out_features)
        new.weight[:rows] = old.weight[:rows]
    model.head = new
    return model
'''
_HEAD_FROZEN = '''def replace_head(model, num_classes):
    old = model.head
    model.head = nn.Linear(old.in_features, num_classes)
    model.head.requires_grad_(old.weight.requires_grad)
    return model
'''
_HEAD_UNFREEZES = '''def replace_head(model, num_classes):
    model.head = nn.Linear(model.head.in_features, num_classes)
    for parameter in model.parameters():
        parameter.requires_grad = True
    return model
'''

# ---------------------------------------------------------------- count_trainable
_COUNT_NAMED = '''import math


def count_trainable(model):
    total = 0
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            total += math.prod(parameter.shape)
    return total
'''
_COUNT_ALL = '''def count_trainable(model):
    return sum(p.numel() for p in model.parameters())
'''
_COUNT_TENSORS = '''def count_trainable(model):
    return len([p for p in model.parameters() if p.requires_grad])
'''
_COUNT_SHARED_TWICE = '''def count_trainable(model):
    return sum(p.numel() for m in model.modules() for p in m.parameters(recurse=False)
               if p.requires_grad) + sum(
        p.numel() for n, p in model.named_parameters(remove_duplicate=False)
        if p.requires_grad) - sum(p.numel() for p in model.parameters() if p.requires_grad)
'''
_COUNT_BUFFERS = '''def count_trainable(model):
    return sum(t.numel() for n, t in model.state_dict().items()
               if dict(model.named_parameters()).get(n) is None or dict(model.named_parameters())[n].requires_grad)
'''

_HEAD_IMPLEMENTATIONS = [
    _impl("head_sized_by_running_the_backbone", "in_features from a forward pass of the backbone",
          {"replace_head": _HEAD_BY_RUNNING}),
    _impl("head_by_setattr", "setattr, width from the weight's shape, bias zeroed",
          {"replace_head": _HEAD_SETATTR}),
    _impl("head_old_classes", "the new head keeps the old number of classes",
          {"replace_head": _HEAD_OLD_CLASSES}, {"test_replace_head": "old number of outputs"},
          only={"test_replace_head": ("The new head fits",)}),
    _impl("head_in_out_swapped", "in_features taken from the old head's out_features",
          {"replace_head": _HEAD_SWAPPED}, {"test_replace_head": "in_features is the old head's out_features"},
          only={"test_replace_head": ("The new head fits",)}),
    _impl("head_hard_coded_width", "in_features written as a number",
          {"replace_head": _HEAD_HARD_CODED},
          {"test_replace_head": "does not match the width of the backbone"},
          only={"test_replace_head": ("The new head fits",)}),
    _impl("head_keeps_old_rows", "copies the old head's weights into the new one",
          {"replace_head": _HEAD_REUSED}, {"test_replace_head": "keeps the old head's weights"},
          only={"test_replace_head": ("The new head is new",)}),
    _impl("head_frozen_like_the_old", "the new head copies the old one's requires_grad",
          {"replace_head": _HEAD_FROZEN}, {"test_replace_head": "the new head is frozen too"},
          only={"test_replace_head": ("The new head is new",)}),
    _impl("head_unfreezes_the_model", "replace_head makes every parameter trainable",
          {"replace_head": _HEAD_UNFREEZES}, {"test_replace_head": "changed requires_grad outside"},
          only={"test_replace_head": ("Outside the head",)}),
]
_COUNT_IMPLEMENTATIONS = [
    _impl("count_by_names", "named_parameters and np.prod of the shapes",
          {"count_trainable": _COUNT_NAMED}),
    _impl("count_everything", "frozen parameters counted too", {"count_trainable": _COUNT_ALL},
          {"test_count_trainable": "frozen parameters are counted too"},
          only={"test_count_trainable": ("Counts the elements",)}),
    _impl("count_tensors", "counts parameter tensors", {"count_trainable": _COUNT_TENSORS},
          {"test_count_trainable": "counts parameter tensors"},
          only={"test_count_trainable": ("Counts the elements",)}),
    _impl("count_shared_twice", "a shared parameter counted twice",
          {"count_trainable": _COUNT_SHARED_TWICE},
          {"test_count_trainable": "counted twice"},
          only={"test_count_trainable": ("A parameter shared",)}),
    _impl("count_state_dict", "counts the state dict: buffers too",
          {"count_trainable": _COUNT_BUFFERS},
          {"test_count_trainable": "buffers (batch norms' running statistics) are counted"},
          only={"test_count_trainable": ("Counts the elements",)}),
]

_EXTRACT_IMPLEMENTATIONS = [
    _impl("extract_in_inference_mode", "torch.inference_mode, labels gathered as a list",
          {"extract_features": _EXTRACT_INFERENCE}),
    _impl("extract_preallocated", "set_grad_enabled, a preallocated tensor, mode restored",
          {"extract_features": _EXTRACT_PREALLOCATED}),
    _impl("extract_in_train_mode", "never calls backbone.eval()",
          {"extract_features": _EXTRACT_TRAIN_MODE}, {"test_extract_features": "ran in train mode"},
          only={"test_extract_features": ("The backbone runs in eval mode",)}),
    _impl("extract_with_gradients", "detaches after the fact instead of torch.no_grad()",
          {"extract_features": _EXTRACT_WITH_GRADIENTS},
          {"test_extract_features": "recorded gradients"},
          only={"test_extract_features": ("No forward pass records",)}),
    _impl("extract_dataset_order", "reads loader.dataset instead of iterating the loader",
          {"extract_features": _EXTRACT_DATASET_ORDER},
          {"test_extract_features": "in the dataset's order, not the loader's"},
          only={"test_extract_features": ("The features and labels",)}),
    _impl("extract_freezes_the_backbone", "backbone.requires_grad_(False) instead of no_grad",
          {"extract_features": _EXTRACT_FREEZES},
          {"test_extract_features": "changed requires_grad of the backbone"},
          only={"test_extract_features": ("Each image goes through",)}),
    _impl("extract_first_batch_twice", "runs the first batch once more to size the output",
          {"extract_features": _EXTRACT_TWICE},
          {"test_extract_features": "went through the backbone 2 times"},
          only={"test_extract_features": ("Each image goes through",)}),
]
_GROUPS_IMPLEMENTATIONS = [
    _impl("groups_by_name", "split by parameter name, empty groups dropped",
          {"param_groups": _GROUPS_BY_NAME}),
    _impl("groups_of_generators", "generators and filter objects, a weight_decay entry",
          {"param_groups": _GROUPS_GENERATORS}),
    _impl("groups_lr_swapped", "the two learning rates swapped",
          {"param_groups": _GROUPS_SWAPPED}, {"test_param_groups": "the learning rates are swapped"},
          only={"test_param_groups": ("The head's parameters get",)}),
    _impl("groups_head_twice", "the head in both groups",
          {"param_groups": _GROUPS_HEAD_TWICE}, {"test_param_groups": "in two groups"},
          only={"test_param_groups": ("Every trainable parameter",)}),
    _impl("groups_with_frozen", "frozen parameters included",
          {"param_groups": _GROUPS_WITH_FROZEN}, {"test_param_groups": "frozen parameters"},
          only={"test_param_groups": ("Parameters with requires_grad=False",)}),
    _impl("groups_without_lr", "the backbone group has no lr",
          {"param_groups": _GROUPS_NO_LR}, {"test_param_groups": "has no \"lr\" of its own"},
          only={"test_param_groups": ("The head's parameters get",)}),
    _impl("groups_head_only", "only the head's parameters",
          {"param_groups": _GROUPS_HEAD_ONLY}, {"test_param_groups": "are in no group"},
          only={"test_param_groups": ("Every trainable parameter",)}),
]

IMPLEMENTATIONS = (_FREEZE_IMPLEMENTATIONS + _HEAD_IMPLEMENTATIONS + _COUNT_IMPLEMENTATIONS
                   + _EXTRACT_IMPLEMENTATIONS + _GROUPS_IMPLEMENTATIONS)

