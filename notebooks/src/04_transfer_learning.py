# %% [markdown]
# # 04 · Transfer learning on EuroSAT: AlexNet and MobileNetV2, from scratch and from ImageNet
#
# EuroSAT is 27,000 Sentinel-2 satellite tiles of 64 x 64 pixels in ten land-use classes. The seed
# report's part II trains two torchvision architectures on it - **AlexNet** (2012, 61 M parameters,
# no batch norm) and **MobileNetV2** (2018, 3.5 M parameters, depthwise-separable inverted residual
# blocks) - in two ways each: **from scratch** (random weights, every layer trained) and **from
# ImageNet weights** with the convolutional layers frozen and a new 10-class classifier trained.
#
# Beyond the seed, two more runs **fine-tune** the whole pretrained network (the backbone at a tenth
# of the head's learning rate), the usual way to the best accuracy on EuroSAT (Helber et al. report
# 98.57 % with a fine-tuned ResNet-50). Frozen backbones are never run twice on the same image: their
# features are computed once per split and the heads train on those, and we measure what that saves.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
batch_size = 64  # images per training step
scratch_epochs = 30  # epochs of the from-scratch models
alexnet_scratch_lr = 0.0001  # Adam learning rate of AlexNet from scratch (no batch norm, so low)
mobilenet_scratch_lr = 0.001  # Adam learning rate of MobileNetV2 from scratch
scratch_resize = 0  # input side of the from-scratch models, 0 for the native 64 pixels
pretrained_resize = 224  # input side of the pretrained models (ImageNet's)
head_epochs = 15  # epochs of the new classifiers on frozen features
head_lr = 0.001  # Adam learning rate of the new classifiers
train_views = 4  # cached views of each training image (identity, two flips, rotation by 180)
resize_study = [64, 128, 224]  # input sides compared for frozen MobileNetV2
finetune_epochs = 8  # epochs of the fine-tuning runs
finetune_lr = 0.0005  # Adam learning rate of the new head when fine-tuning
backbone_lr_scale = 0.1  # the fine-tuned backbone learns at this fraction of that rate
patience = 6  # early stopping on validation loss, 0 for never

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers import config, data, evaluation, experiments, features, models, plots, references

run = config.setup(profile=profile, device=device, seed=seed, data_root=data_root)
print(run.describe())
display(Markdown(run.data_notice()))
display(Markdown(run.weights_notice()))
results = evaluation.ResultsFile(run.results_dir, "04_transfer_learning")
stop_after = patience or None

# %% [markdown]
# ## Data and inputs
#
# The project's fixed stratified split of EuroSAT (18,900 / 2,700 / 5,400 on the real data; the
# seed's test sets had 5,400 images too). Two kinds of input, both prepared in batches on the device:
#
# - **from scratch**: the native 64 x 64 tiles normalised by the training split's channel statistics,
#   with random crops and flips. A network trained from random weights owes nothing to ImageNet's
#   image size, and at 64 pixels an epoch costs about a twelfth of one at 224.
# - **pretrained**: ImageNet's normalisation and the tiles resized to the input size the weights
#   were trained at. How much the size matters is measured below, on frozen MobileNetV2.

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
print(f"train / validation / test: {splits.sizes()}")
imagenet_stats = (models.IMAGENET_MEAN, models.IMAGENET_STD)
scratch_loaders = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed,
                                    augment=data.CROP_FLIP, resize=scratch_resize or None)
pretrained_plain = data.plain_loaders(splits, batch_size=2 * batch_size, device=run.device,
                                      resize=pretrained_resize, stats=imagenet_stats)
scratch_side = scratch_resize or splits.train.images.shape[-1]

# %% [markdown]
# ## From scratch
#
# Every layer trained from random weights with Adam and a cosine learning-rate schedule, early
# stopping on the validation loss, the best epoch's weights kept. AlexNet has no batch norm and 61 M
# parameters, so it gets a ten times lower learning rate than MobileNetV2.

# %%
scratch = {}
for name, scratch_lr in [("alexnet", alexnet_scratch_lr), ("mobilenet_v2", mobilenet_scratch_lr)]:
    scratch[name] = experiments.train_model(
        run, results, f"{name}_scratch", name, scratch_loaders,
        experiments.Recipe(epochs=scratch_epochs, lr=scratch_lr, scheduler="cosine",
                           patience=stop_after,
                           notes={"weights": "random (from scratch)", "input": scratch_side,
                                  "training": "all layers, crop + flip"}),
        "EuroSAT", seed, num_classes=10)

# %% [markdown]
# ## Which input size for the pretrained models?
#
# ImageNet models are trained at 224 x 224; EuroSAT tiles are 64 x 64. Upsampling costs compute
# (12 times the pixels) but shows the filters objects at the scale they learned. The evidence: frozen
# MobileNetV2 with the same new classifier at each size, the classifier trained on cached features.

# %%
size_rows = []
for side in resize_study:
    size_model = models.build_model("mobilenet_v2", num_classes=10,
                                    weights=run.pretrained_weights, frozen=True).to(run.device)
    size_cache = features.cache_features(size_model.backbone, data.plain_loaders(
        splits, batch_size=2 * batch_size, device=run.device, resize=side, stats=imagenet_stats))
    size_run = experiments.train_head_on_features(
        run, results, f"mobilenet_v2_frozen_{side}px", size_model, size_cache,
        experiments.Recipe(epochs=head_epochs, lr=head_lr, patience=stop_after,
                           notes={"study": "input size", "input": side}),
        "EuroSAT", seed, batch_size)
    size_rows.append({"input side (pixels)": side, "val_acc": size_run.row["val_acc"],
                      "test_acc": size_run.row["test_acc"], "feature seconds": size_cache.seconds})
size_study = pd.DataFrame(size_rows)
display(size_study.style.format({"val_acc": "{:.2%}", "test_acc": "{:.2%}",
                                 "feature seconds": "{:.1f}"}).hide(axis="index")
        .set_caption("Frozen MobileNetV2: accuracy and feature-extraction time by input size"))
best_side = int(size_study.loc[size_study["val_acc"].idxmax(), "input side (pixels)"])
chosen = size_study.set_index("input side (pixels)")
display(Markdown(
    f"The best validation accuracy came at **{best_side} pixels**. The pretrained runs below use "
    f"**{pretrained_resize} pixels**" + (
        f", {100 * (chosen['val_acc'].max() - chosen.loc[pretrained_resize, 'val_acc']):.1f} "
        f"points of validation accuracy from the best size in this study."
        if pretrained_resize in chosen.index else " (a size outside this study).")))

# %% [markdown]
# ## From ImageNet weights, backbone frozen
#
# As in the seed: the convolutional layers keep their ImageNet weights and do not train, a new
# 10-class output layer replaces ImageNet's 1,000-class one (AlexNet keeps its two hidden layers of
# 4,096 units, trained anew; MobileNetV2's classifier is dropout and one linear layer). The frozen
# backbone also stays in evaluation mode, so batch norm keeps ImageNet's statistics.
#
# The backbone's features are computed once - for the training split in several views (flips and a
# half turn, which do not change what a satellite tile shows) - and the classifier trains on them.
# To measure what that saves, one epoch of the whole model on images is timed as well.

# %%
frozen, speed_rows = {}, []
for name in ["alexnet", "mobilenet_v2"]:
    model = models.build_model(name, num_classes=10, weights=run.pretrained_weights,
                               frozen=True).to(run.device)
    cache = features.cache_features(model.backbone, pretrained_plain, train_views)
    uncached_epoch = features.time_uncached_epoch(model, data.make_loaders(
        splits, batch_size=batch_size, device=run.device, resize=pretrained_resize,
        stats=imagenet_stats)[0], pretrained_plain[1], head_lr)
    frozen[name] = experiments.train_head_on_features(
        run, results, f"{name}_pretrained", model, cache,
        experiments.Recipe(epochs=head_epochs, lr=head_lr, patience=stop_after,
                           notes={"weights": models.describe_source(name, run.pretrained_weights),
                                  "input": pretrained_resize,
                                  "training": f"head on cached features, {train_views} views"}),
        "EuroSAT", seed, batch_size)
    history = frozen[name].history
    cached_epoch = history.seconds / history.epochs_run
    speed_rows.append({
        "model": f"{name}_pretrained", "feature cache (MiB)": cache.megabytes,
        "computing the cache (s)": cache.seconds, "uncached epoch (s)": uncached_epoch,
        "cached epoch (s)": cached_epoch, "speed-up per epoch": uncached_epoch / cached_epoch,
        "speed-up of the run": history.epochs_run * uncached_epoch / (cache.seconds + history.seconds)})
speed = pd.DataFrame(speed_rows)
display(speed.style.format({**{c: "{:.2f}" for c in speed.columns if c != "model"},
                           "speed-up per epoch": "{:.1f}x", "speed-up of the run": "{:.1f}x"})
        .hide(axis="index").set_caption("What caching the frozen features saves (measured here)"))

# %% [markdown]
# ## Fine-tuning the whole pretrained network (beyond the seed)
#
# The same pretrained models with nothing frozen: the new head learns at the full rate, the
# backbone at a fraction of it, so that the ImageNet filters adapt to satellite imagery without being
# destroyed by the first large gradients. Images are cropped and flipped at random, on the device.

# %%
finetune_loaders = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed,
                                     augment=data.CROP_FLIP, resize=pretrained_resize,
                                     stats=imagenet_stats)
finetuned = {}
for name in ["alexnet", "mobilenet_v2"]:
    finetuned[name] = experiments.train_model(
        run, results, f"{name}_finetuned", name, finetune_loaders,
        experiments.Recipe(epochs=finetune_epochs, lr=finetune_lr, scheduler="cosine",
                           patience=stop_after, lr_scales={"backbone": backbone_lr_scale},
                           notes={"weights": models.describe_source(name, run.pretrained_weights),
                                  "input": pretrained_resize,
                                  "training": f"all layers, backbone lr x {backbone_lr_scale:g}"}),
        "EuroSAT", seed, num_classes=10, weights=run.pretrained_weights)

# %% [markdown]
# ## Every model: curves, classification report and confusion matrix

# %%
trained = {f"{name}_scratch": run_ for name, run_ in scratch.items()}
trained.update({f"{name}_pretrained": run_ for name, run_ in frozen.items()})
trained.update({f"{name}_finetuned": run_ for name, run_ in finetuned.items()})
for label, experiment in trained.items():
    plots.training_report(label, experiment.history.frame(), evaluation.report_table(
        experiment.test, eurosat.classes, f"{label}: classification report, test set"),
        evaluation.confusion(experiment.test, 10), eurosat.classes)

# %% [markdown]
# ## Results

# %%
table = results.frame().set_index("model").loc[list(trained)].reset_index()
table = evaluation.with_seed_figures(table, ["test_acc"])
table["goal"] = table["model"].map(references.GOALS)
table["ours"] = table["test_acc"]
display(table[["model", "weights", "input", "params_total", "params", "epochs_run", "test_acc",
               "seed test_acc", "goal", "seconds"]].rename(columns={
                   "params_total": "parameters", "params": "trainable", "epochs_run": "epochs",
                   "test_acc": "test accuracy", "seed test_acc": "seed's figure"})
        .style.format({"parameters": "{:,}", "trainable": "{:,}", "test accuracy": "{:.2%}",
                       "seed's figure": "{:.0%}", "goal": "{:.0%}", "seconds": "{:.0f}"},
                      na_rep="").hide(axis="index")
        .set_caption("EuroSAT test set: our six models beside the seed's four"))
plots.accuracy_against_seed(table, "EuroSAT: test accuracy, ours against the seed's");

# %% [markdown]
# ## Conclusion

# %%
acc = table.set_index("model")["test_acc"]
fastest = speed.set_index("model")["speed-up of the run"]
display(Markdown("\n".join([
    f"- **Scratch versus frozen ImageNet features.** AlexNet: {acc['alexnet_scratch']:.1%} from "
    f"scratch, {acc['alexnet_pretrained']:.1%} with frozen ImageNet features "
    f"({100 * (acc['alexnet_pretrained'] - acc['alexnet_scratch']):+.1f} points). MobileNetV2: "
    f"{acc['mobilenet_v2_scratch']:.1%} from scratch, {acc['mobilenet_v2_pretrained']:.1%} frozen "
    f"({100 * (acc['mobilenet_v2_pretrained'] - acc['mobilenet_v2_scratch']):+.1f} points).",
    f"- **Fine-tuning** reached {acc['alexnet_finetuned']:.1%} (AlexNet) and "
    f"{acc['mobilenet_v2_finetuned']:.1%} (MobileNetV2), "
    f"{100 * (acc['mobilenet_v2_finetuned'] - acc['mobilenet_v2_pretrained']):+.1f} points over "
    f"frozen MobileNetV2; the goal is {references.GOALS['mobilenet_v2_finetuned']:.0%}.",
    f"- **Against the seed.** " + "; ".join(
        f"{m} {100 * (acc[m] - s):+.1f} points" for m, s in zip(table["model"], table["seed test_acc"])
        if pd.notna(s)) + ".",
    f"- **Input size.** Frozen MobileNetV2 reached {chosen['val_acc'].min():.1%} to "
    f"{chosen['val_acc'].max():.1%} validation accuracy over {len(chosen)} input sizes, best at "
    f"{best_side} pixels.",
    f"- **Caching frozen features** made the frozen runs {fastest.min():.1f} to "
    f"{fastest.max():.1f} times faster end to end than passing every image through the backbone "
    f"every epoch, cache computation included.",
])))
