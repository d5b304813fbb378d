"""DICOM series -> de-identified, resampled, multi-scale Zarr: ctcurate against the usual pipeline of the field.

ctcurate, as `ctcurate ingest` does it for a series: group (headers, read once) -> `deidentify_dataset` on
the representative header + burned-in-text check on every header -> `read_dicom_series` with the target
spacing (geometry policy, HU, resampled slice by slice while read) -> QC -> `write_volume_group` (levels
0/1/2, hashes, atomic rename). The de-identification profile is parsed once per process, before the clock.
Baseline: SimpleITK ImageSeriesReader -> SimpleITK linear resample to the same spacing -> nibabel
``.nii.gz``. Each pipeline runs in its own subprocess so peak memory (VmHWM) is its own; the
figure "above imports" subtracts the process's RSS after imports. The two run interleaved, best of
``--repeat``; "cpu s" is the process CPU time (all threads), steadier than wall time on a shared machine.

    .venv/bin/python benchmarks/ingest.py                 # 512x512x300 synthetic CT (uncompressed, and its first
                                                          # 100 slices JPEG lossless) + ct_chest_j2k fixture
    .venv/bin/python benchmarks/ingest.py --slices 120 --repeat 1
    .venv/bin/python benchmarks/ingest.py --chunks        # the chunk/shard study behind zarr_store's choice
    .venv/bin/python benchmarks/ingest.py --only planning # a cohort's plan: every header kept, or each series' first
    .venv/bin/python benchmarks/ingest.py --only cli      # `ctcurate ingest` end to end: fixed cost, cost per series
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FIXTURE = REPO.parent / "shared" / "fixtures" / "dicom" / "ct_chest_j2k"
PHILIPS_FIXTURE = REPO.parent / "shared" / "fixtures" / "dicom" / "ct_phantom_philips_tilt"
TARGET_SPACING = (1.5, 1.5, 1.5)


def phantom_ct(n_slices: int, size: int = 512, seed: int = 0) -> np.ndarray:
    """CT-like int16 HU: air, an elliptic body (fat rim, soft tissue), two lungs, a spine, noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[-1 : 1 : size * 1j, -1 : 1 : size * 1j]
    body = (x / 0.85) ** 2 + (y / 0.65) ** 2 < 1
    inner = (x / 0.78) ** 2 + (y / 0.58) ** 2 < 1
    lungs = (((x - 0.35) / 0.28) ** 2 + (y / 0.4) ** 2 < 1) | (((x + 0.35) / 0.28) ** 2 + (y / 0.4) ** 2 < 1)
    spine = (x**2 + (y - 0.45) ** 2) < 0.01
    plane = np.full((size, size), -1000, np.float32)
    plane[body] = -100
    plane[inner] = 40
    plane[lungs] = -850
    plane[spine] = 700
    volume = np.empty((n_slices, size, size), np.int16)
    for k in range(n_slices):
        noise = rng.normal(0, 12, (size, size)).astype(np.float32)
        volume[k] = np.rint(plane + noise * body + 30 * np.sin(k / 15.0) * inner)
    return volume


def write_dicom_series(
    folder: Path, hu: np.ndarray, spacing=(0.7, 0.7, 1.0), jpeg_lossless: bool = False
) -> list[Path]:
    """One file per slice, uncompressed, or JPEG Lossless SV1 (the usual compressed CT from a PACS)."""
    import imagecodecs
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, JPEGLosslessSV1, generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    series_uid, study_uid = generate_uid(), generate_uid()
    paths = []
    for k in range(hu.shape[0]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = JPEGLosslessSV1 if jpeg_lossless else ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Bench^Patient", "BENCH0001", "19600101"
        ds.StudyDate, ds.AccessionNumber, ds.InstitutionName = "20240102", "ACC0001", "Bench Hospital"
        ds.Modality, ds.Manufacturer, ds.ConvolutionKernel, ds.KVP = "CT", "SIEMENS", "B30f", 120
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SeriesNumber = study_uid, series_uid, 2
        ds.InstanceNumber = k + 1
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImagePositionPatient = [-179.0, -179.0, float(-k * spacing[2])]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [spacing[1], spacing[0]]
        ds.SliceThickness = spacing[2]
        ds.Rows, ds.Columns = hu.shape[1:]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        stored = (hu[k].astype(np.int32) + 1024).astype(np.int16)
        if jpeg_lossless:
            frame = imagecodecs.jpeg8_encode(stored.view(np.uint16), lossless=True, predictor=1, bitspersample=16)
            ds.PixelData = encapsulate([frame])
            ds["PixelData"].VR = "OB"
        else:
            ds.PixelData = stored.tobytes()
        path = folder / f"IM{k + 1:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


# -- the two pipelines (each runs in a fresh subprocess) ------------------------------------------
def run_ctcurate(series_dir: Path, out_dir: Path) -> dict:
    """What `ingest_series_batch` does for a DICOM series, step for step (cohort planning included)."""
    from curation.deid.deid_profile import load_profile
    from curation.deid.dicom_folder import quarantine_reason
    from curation.deid.dicom_header import deidentify_dataset
    from curation.imaging.dicom_volume import read_dicom_series
    from curation.imaging.series_grouping import group_dicom_series
    from curation.imaging.series_metadata import series_metadata
    from curation.imaging.volume_qc import check_volume_quality
    from curation.imaging.zarr_store import write_volume_group
    from curation.pseudonyms import Pseudonymizer

    rss_after_imports = _rss_mb()
    # Once per process, like the imports: the de-identification profile (a YAML file) is parsed.
    start = time.perf_counter()
    load_profile()
    setup_s = time.perf_counter() - start
    stages: dict[str, float] = {}
    start = lap = time.perf_counter()
    cpu_start = time.process_time()

    def stage(name: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - lap
        lap = now

    files = sorted(p for p in series_dir.iterdir() if p.is_file())
    grouping = group_dicom_series(files)
    stage("group (headers)")
    pseudonymizer = Pseudonymizer(b"0" * 32)
    stored = []
    for index, series in enumerate(grouping.series):
        # cohort plan: the representative header is de-identified; its facts are the series row
        metadata = series_metadata(deidentify_dataset(series.headers[0], pseudonymizer, "bench").dataset)
        # series batch: no burned-in text, read (geometry policy, HU, resampled while read), QC, store
        assert not any(quarantine_reason(header) for header in series.headers)
        stage("de-identify")
        volume = read_dicom_series(series, spacing_mm=TARGET_SPACING)
        stage("read + resample")
        check_volume_quality(volume)
        stored += write_volume_group(str(out_dir / f"s{index}.zarr"), volume)
        stage("pyramid + hash + zarr")
        assert metadata["modality"] == "CT"
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_s": time.process_time() - cpu_start,
        "rss_after_imports_mb": rss_after_imports,
        "shape": list(stored[0].shape),
        "stages": stages,
        "setup_s": setup_s,
    }


def run_simpleitk(series_dir: Path, out_dir: Path) -> dict:
    import nibabel as nib
    import SimpleITK as sitk

    rss_after_imports = _rss_mb()
    start = time.perf_counter()
    cpu_start = time.process_time()
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(series_dir)))
    image = reader.Execute()
    spacing = image.GetSpacing()
    size = [round(n * s / t) for n, s, t in zip(image.GetSize(), spacing, TARGET_SPACING, strict=True)]
    resampled = sitk.Resample(
        image, size, sitk.Transform(), sitk.sitkLinear, image.GetOrigin(), TARGET_SPACING, image.GetDirection(), -1024
    )
    array = sitk.GetArrayFromImage(resampled).transpose(2, 1, 0)
    direction = np.asarray(resampled.GetDirection()).reshape(3, 3)
    affine = np.eye(4)
    affine[:3, :3] = direction * np.asarray(TARGET_SPACING)
    affine[:3, 3] = resampled.GetOrigin()
    nib.save(nib.Nifti1Image(array, np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine), str(out_dir / "s0.nii.gz"))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_s": time.process_time() - cpu_start,
        "rss_after_imports_mb": rss_after_imports,
        "shape": list(array.shape),
    }


def run_planning(cohort_dir: Path, keep: str) -> dict:
    """Group a cohort keeping every header or only each series' first; then read the rest again, as each
    series batch does when planning kept only the first."""
    from curation.imaging.series_grouping import group_dicom_series
    from curation.imaging.series_headers import complete_series_headers

    rss_after_imports = _rss_mb()
    files = sorted(p for p in cohort_dir.rglob("*") if p.is_file())
    start = time.perf_counter()
    grouping = group_dicom_series(files, keep_headers=keep == "all")
    group_s = time.perf_counter() - start
    held_mb = _rss_mb() - rss_after_imports
    start = time.perf_counter()
    for series in grouping.series:
        complete_series_headers(series)
    return {
        "seconds": group_s,
        "reread_s": time.perf_counter() - start,
        "held_mb": held_mb,
        "n_files": len(files),
        "n_series": len(grouping.series),
    }


def planning_comparison(workdir: Path, n_series: int = 8, n_slices: int = 300) -> None:
    """Memory a cohort's plan holds with every header kept (up to CTCURATE_PLAN_HEADER_FILES) or only the first
    of each series, and the time the series batches then spend reading the others again: on synthetic headers,
    and on copies of a real Philips CT series (vendor private tags) where the fixtures are present."""
    synthetic = workdir / "cohort-synthetic"
    for index in range(n_series):  # small matrices: header memory does not depend on the pixels
        write_dicom_series(synthetic / f"series-{index}", phantom_ct(n_slices, size=32, seed=index))
    cohorts = {"synthetic headers": synthetic}
    if PHILIPS_FIXTURE.is_dir():
        cohorts["Philips CT headers"] = copies_with_new_uids(PHILIPS_FIXTURE, workdir / "cohort-philips", 20)
    for name, cohort in cohorts.items():
        rows = {keep: json.loads(_child_output("plan", str(cohort), keep)) for keep in ("all", "first")}
        n_files, n_series_found = rows["all"]["n_files"], rows["all"]["n_series"]
        print(f"\nplanning {n_series_found} series, {n_files} files ({name})")
        print(f"{'headers kept':<16}{'group s':>9}{'held MiB':>10}{'KiB/file':>10}{'batches re-read s':>19}")
        for keep, r in rows.items():
            reread = r["reread_s"] if keep == "first" else 0.0
            print(
                f"{keep:<16}{r['seconds']:>9.2f}{r['held_mb']:>10.1f}{r['held_mb'] * 1024 / n_files:>10.1f}"
                f"{reread:>19.2f}"
            )


def discovery_comparison(workdir: Path, n_series: int = 6, n_slices: int = 300, repeat: int = 3) -> None:
    """Discovery reads and hashes every file of a cohort: on one thread, and on the default pool
    (``CTCURATE_HASH_THREADS`` unset), alternately in one process, best of ``repeat``."""
    from curation.cohort.manifest import load_manifest
    from curation.ingest.cohort_inventory import HASH_THREADS_VARIABLE, discover_files, hash_threads

    cohort = workdir / "cohort-discovery"
    for index in range(n_series):
        write_dicom_series(cohort / "images" / f"series-{index}", phantom_ct(n_slices, seed=index))
    (cohort / "cohort.yaml").write_text("institution: bench\nimages: images\n")
    manifest = load_manifest(cohort)
    saved = os.environ.pop(HASH_THREADS_VARIABLE, None)
    default_threads = hash_threads()
    best = {"1": float("inf"), "default": float("inf")}
    try:
        for _ in range(max(1, repeat)):
            for threads in best:
                if threads == "default":
                    os.environ.pop(HASH_THREADS_VARIABLE, None)
                else:
                    os.environ[HASH_THREADS_VARIABLE] = threads
                start = time.perf_counter()
                inventory = discover_files(manifest)
                best[threads] = min(best[threads], time.perf_counter() - start)
    finally:
        os.environ.pop(HASH_THREADS_VARIABLE, None)
        if saved is not None:
            os.environ[HASH_THREADS_VARIABLE] = saved
    gigabytes = sum(f.size_bytes for f in inventory.files) / 1e9
    print(f"\ndiscovery (read + sha256 of each file): {len(inventory.files)} files, {gigabytes:.2f} GB, warm cache")
    print(
        f"1 thread: {best['1']:.2f} s; {default_threads} threads (default): {best['default']:.2f} s "
        f"({best['1'] / best['default']:.2f}x)"
    )


def cli_comparison(workdir: Path, n_series: int = 4, n_slices: int = 300) -> None:
    """``ctcurate ingest`` end to end (Prefect's embedded server, planning, batches, catalog registration) on a
    cohort of one 3-slice series and on one of ``n_series`` CT series: the fixed cost of a run, and per series."""
    ctcurate = Path(sys.executable).with_name("ctcurate")
    timings = {}
    for name, count, slices in (("fixed", 1, 3), ("cohort", n_series, n_slices)):
        cohort = workdir / f"cli-{name}"
        for index in range(count):
            write_dicom_series(cohort / "images" / f"series-{index}", phantom_ct(slices, seed=index))
        manifest = "institution: bench\nimages: images\noptions:\n  resample_profile: isotropic-1.5\n"
        (cohort / "cohort.yaml").write_text(manifest)
        warehouse = str(workdir / "wh")
        command = [str(ctcurate), "ingest", str(cohort), "--cohort", f"bench_{name}", "--warehouse", warehouse]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, check=True)
        timings[name] = time.perf_counter() - start
    per_series = (timings["cohort"] - timings["fixed"]) / n_series
    print(f"\n`ctcurate ingest` end to end: {n_series} series of {n_slices} slices in {timings['cohort']:.1f} s")
    print(f"fixed cost of a run (one 3-slice series): {timings['fixed']:.1f} s; per series: {per_series:.2f} s")


def copies_with_new_uids(series_dir: Path, out_dir: Path, n_copies: int) -> Path:
    """``n_copies`` of a DICOM series, each a series of its own (new Series/SOP Instance UIDs), headers as they were."""
    import pydicom
    from pydicom.uid import generate_uid

    files = sorted(p for p in series_dir.rglob("*") if p.is_file())
    for copy in range(n_copies):
        series_uid = generate_uid()
        for index, path in enumerate(files):
            try:
                ds = pydicom.dcmread(path)
            except pydicom.errors.InvalidDicomError:
                continue
            ds.SeriesInstanceUID = series_uid
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            target = out_dir / f"series-{copy}" / f"{index:05d}.dcm"
            target.parent.mkdir(parents=True, exist_ok=True)
            ds.save_as(target)
    return out_dir


def _child_output(*arguments: str) -> str:
    """The last line a ``--child`` run of this script prints (its JSON result)."""
    command = [sys.executable, __file__, "--child", *arguments]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return completed.stdout.strip().splitlines()[-1]


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    """This process image's high-water RSS (VmHWM). Not ru_maxrss: Linux carries the parent's RSS at fork
    into the child's ru_maxrss across exec, which would put a floor of the parent's size under every figure."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_main(pipeline: str, series_dir: str, out_dir: str) -> None:
    if pipeline == "plan":
        print(json.dumps(run_planning(Path(series_dir), out_dir)))
        return
    result = {"ctcurate": run_ctcurate, "simpleitk": run_simpleitk}[pipeline](Path(series_dir), Path(out_dir))
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def run_pipeline(pipeline: str, series_dir: Path, workdir: Path) -> dict:
    out = Path(tempfile.mkdtemp(dir=workdir, prefix=f"{pipeline}-"))
    result = json.loads(_child_output(pipeline, str(series_dir), str(out)))
    result["stored_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return result


def raw_bytes(series_dir: Path) -> tuple[int, tuple[int, ...]]:
    import pydicom

    files = [p for p in series_dir.iterdir() if p.is_file()]
    ds = pydicom.dcmread(files[0], stop_before_pixels=True)
    return len(files) * int(ds.Rows) * int(ds.Columns) * 2, (len(files), int(ds.Rows), int(ds.Columns))


def compare(name: str, series_dir: Path, workdir: Path, repeat: int) -> None:
    nbytes, shape = raw_bytes(series_dir)
    runs: dict[str, list[dict]] = {"ctcurate": [], "simpleitk": []}
    for _ in range(repeat):  # interleaved, so both see the same (shared, drifting) machine load
        for pipeline, results in runs.items():
            results.append(run_pipeline(pipeline, series_dir, workdir))
    rows = {}
    for pipeline, results in runs.items():
        best = min(results, key=lambda r: r["seconds"])
        best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
        best["best_cpu_s"] = min(r["cpu_s"] for r in results)
        rows[pipeline] = best
    print(f"\n{name}: {shape[0]}x{shape[1]}x{shape[2]} int16 = {nbytes / 2**20:.1f} MiB raw; best of {repeat}")
    columns = (("s", 7), ("cpu s", 7), ("series/s", 10), ("MB/s", 8), ("peak MiB", 10), ("above imports", 15))
    print(f"{'pipeline':<11}" + "".join(f"{title:>{width}}" for title, width in columns) + f"{'x raw':>7}")
    for pipeline, r in rows.items():
        above = r["peak_rss_mb"] - r["rss_after_imports_mb"]
        print(
            f"{pipeline:<11}{r['seconds']:>7.2f}{r['best_cpu_s']:>7.2f}{1 / r['seconds']:>10.2f}"
            f"{nbytes / 2**20 / r['seconds']:>8.1f}{r['peak_rss_mb']:>10.0f}{above:>15.0f}"
            f"{above / (nbytes / 2**20):>7.2f}"
        )
    print(f"throughput ratio ctcurate / simpleitk: {rows['simpleitk']['seconds'] / rows['ctcurate']['seconds']:.2f}x")
    ours = rows["ctcurate"]
    profile = ", ".join(f"{name} {seconds:.2f}" for name, seconds in ours["stages"].items())
    print(f"ctcurate stages (s, best run): {profile}; once per process, not timed: deid profile {ours['setup_s']:.2f}")


# -- storage: compression ratio and random 96-cube reads ------------------------------------------
def storage_comparison(volume: np.ndarray, workdir: Path, n_reads: int = 20) -> None:
    import nibabel as nib

    from curation.imaging.volume import Volume
    from curation.imaging.zarr_store import read_array_region, write_volume_group

    rng = np.random.default_rng(1)
    corners = [tuple(int(rng.integers(0, n - 96)) for n in volume.shape) for _ in range(n_reads)]
    image = Volume(volume, np.diag([0.7, 0.7, 1.0, 1.0]))
    rows = []
    target = workdir / "store.zarr"
    start = time.perf_counter()
    write_volume_group(str(target), image)
    write_s = time.perf_counter() - start
    level0 = sum(p.stat().st_size for p in (target / "0").rglob("*") if p.is_file())
    start = time.perf_counter()
    for k, j, i in corners:
        read_array_region(target, "0", (slice(k, k + 96), slice(j, j + 96), slice(i, i + 96)))
    rows.append(("zarr level 0 (sharded)", write_s, level0, (time.perf_counter() - start) / n_reads))
    data = np.ascontiguousarray(volume.transpose(2, 1, 0))
    for suffix in (".nii", ".nii.gz"):
        path = workdir / f"store{suffix}"
        start = time.perf_counter()
        nib.save(nib.Nifti1Image(data, np.eye(4)), str(path))
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        for k, j, i in corners:
            proxy = nib.load(str(path)).dataobj
            np.asarray(proxy[i : i + 96, j : j + 96, k : k + 96])
        rows.append((f"nibabel {suffix}", write_s, path.stat().st_size, (time.perf_counter() - start) / n_reads))
    print(f"\nstorage of {volume.shape} int16 ({volume.nbytes / 2**20:.0f} MiB), {n_reads} random 96^3 reads")
    print(f"{'format':<24}{'write s':>9}{'MiB':>8}{'ratio':>7}{'96^3 read ms':>14}")
    for name, write_s, size, read_s in rows:
        print(f"{name:<24}{write_s:>9.2f}{size / 2**20:>8.1f}{volume.nbytes / size:>7.2f}{read_s * 1000:>14.1f}")


def chunk_study(volume: np.ndarray, workdir: Path, n_reads: int = 20) -> None:
    """Write the volume with several chunk/shard shapes; time full reads and random 96-cube reads."""
    import zarr
    from zarr.codecs import BloscCodec

    rng = np.random.default_rng(2)
    corners = [tuple(int(rng.integers(0, n - 96)) for n in volume.shape) for _ in range(n_reads)]
    warm_up = zarr.create_array(str(workdir / "warm-up.zarr"), shape=(64,) * 3, dtype=volume.dtype, chunks=(64,) * 3)
    warm_up[...] = volume[:64, :64, :64]  # zarr's first write in a process pays its start-up: not a layout's cost
    print(f"\nchunk study on {volume.shape} int16, blosc zstd + byte shuffle (zarr's own writer)")
    print(f"{'chunks':<16}{'shards':<16}{'zstd':>5}{'write s':>8}{'full read s':>12}{'96^3 read ms':>14}{'ratio':>7}")
    for chunks, shards, level in (
        ((64, 64, 64), "whole", 1),
        ((64, 64, 64), "whole", 3),
        ((32, 128, 128), "whole", 1),
        ((32, 64, 64), "whole", 1),
        ((64, 64, 64), (128, 256, 256), 1),
        ((1, 512, 512), "whole", 1),
    ):
        whole = tuple(-(-n // c) * c for n, c in zip(volume.shape, chunks, strict=True))
        shard_shape = whole if shards == "whole" else shards
        path = workdir / f"chunks-{'x'.join(map(str, chunks))}-{'x'.join(map(str, shard_shape))}-{level}.zarr"
        start = time.perf_counter()
        array = zarr.create_array(
            str(path),
            shape=volume.shape,
            dtype=volume.dtype,
            chunks=chunks,
            shards=shard_shape,
            compressors=BloscCodec(cname="zstd", clevel=level, shuffle="shuffle"),
        )
        array[...] = volume
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        np.asarray(zarr.open_array(str(path), mode="r")[...])
        full_s = time.perf_counter() - start
        start = time.perf_counter()
        for k, j, i in corners:
            np.asarray(zarr.open_array(str(path), mode="r")[k : k + 96, j : j + 96, i : i + 96])
        cube_ms = (time.perf_counter() - start) / n_reads * 1000
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        print(
            f"{chunks!s:<16}{shard_shape!s:<16}{level:>5}{write_s:>8.2f}{full_s:>12.2f}{cube_ms:>14.1f}"
            f"{volume.nbytes / size:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slices", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--chunks", action="store_true", help="only the chunk/shard study")
    parser.add_argument(
        "--only",
        default="uncompressed,jpeg-lossless,j2k,storage,planning",
        help="comma-separated parts to run (default: all of uncompressed, jpeg-lossless, j2k, storage, planning; "
        "cli, `ctcurate ingest` end to end, only when named)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return
    parts = set(args.only.split(","))
    print(f"Machine: {os.cpu_count()} cores (the development machine's 2 are shared: figures vary run to run).")
    with tempfile.TemporaryDirectory(prefix="ctcurate-bench-") as tmp:
        workdir = Path(tmp)
        volume = phantom_ct(args.slices)
        if args.chunks:
            chunk_study(volume, workdir)
            return
        if "uncompressed" in parts:
            series_dir = workdir / "series"
            write_dicom_series(series_dir, volume)
            compare("synthetic CT 0.7x0.7x1.0 mm -> 1.5 mm", series_dir, workdir, args.repeat)
        if "jpeg-lossless" in parts:
            lossless_dir = workdir / "series-jpeg-lossless"
            write_dicom_series(lossless_dir, volume[:100], jpeg_lossless=True)
            compare("synthetic CT, first 100 slices, JPEG Lossless SV1 -> 1.5 mm", lossless_dir, workdir, args.repeat)
        if "j2k" in parts and FIXTURE.is_dir():
            compare("ct_chest_j2k fixture (JPEG 2000) -> 1.5 mm", FIXTURE, workdir, args.repeat)
        if "storage" in parts:
            storage_comparison(volume, workdir)
        if "planning" in parts:
            planning_comparison(workdir)
            discovery_comparison(workdir, repeat=args.repeat)
        if "cli" in parts:
            cli_comparison(workdir)


if __name__ == "__main__":
    main()
