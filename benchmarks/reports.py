"""Report understanding speed: ctcurate's full extraction vs spaCy's tokenizer, negspacy and medspaCy.

All on the same texts (default: the 800 CT-RATE dev reports under ../shared/fixtures), one process,
one core (``n_process=1``); each timing is the best of ``--repeat`` runs (the machine is shared), and the
ctcurate and tokenizer runs alternate, so a busy spell of the machine slows both alike. ctcurate remembers
the sentences it has analysed (``sentence_findings``); each timed round starts with an empty memo, so the
figure counts only repeats within the 800 reports, and a second line shows the extraction with the memo off.
negspacy (blank English + sentencizer + entity ruler with the same label synonyms + negex) and
medspaCy (its default pipeline: PyRuSH sentences, TargetMatcher with the same synonyms, ConText)
cannot share ctcurate's environment (medspaCy pins spaCy < 3.8), so they run in their own venvs:

    .venv/bin/python benchmarks/reports.py --setup-baselines   # creates /tmp/bench-negspacy, /tmp/bench-medspacy
    .venv/bin/python benchmarks/reports.py                     # prints reports/s and the ratios
    .venv/bin/python benchmarks/reports.py --steps --no-baselines  # adds the time of each step per report

Each line: seconds, reports/s, and ctcurate's speed relative to that tool (above 1: ctcurate is faster).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CSV = ROOT.parent / "shared" / "fixtures" / "reports" / "ct_rate_dev_800.csv"
VENVS = {
    "negspacy": (Path("/tmp/bench-negspacy"), ["negspacy", "spacy==3.8.*"]),
    "medspacy": (Path("/tmp/bench-medspacy"), ["medspacy"]),
}

# Run inside a baseline venv: reads {"texts": [...], "terms": {label: [phrases]}, "repeat": n} from argv[1].
_BASELINE = r"""
import json, sys, time
job = json.load(open(sys.argv[1]))
texts, terms, repeat, kind = job["texts"], job["terms"], job["repeat"], job["kind"]
if kind == "negspacy":
    import spacy
    from negspacy.negation import Negex  # noqa: F401  (registers the factory)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": label.upper(), "pattern": p} for label, phrases in terms.items() for p in phrases])
    nlp.add_pipe("negex", config={"ent_types": [label.upper() for label in terms]})
else:
    import logging
    logging.disable(logging.DEBUG)  # PyRuSH logs every token at DEBUG
    import medspacy
    from medspacy.ner import TargetRule
    nlp = medspacy.load()
    matcher = nlp.get_pipe("medspacy_target_matcher")
    matcher.add([TargetRule(p, label.upper()) for label, phrases in terms.items() for p in phrases])
list(nlp.pipe(texts[:20]))
best = None
for _ in range(repeat):
    start = time.perf_counter()
    n = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"seconds": best, "entities": n, "pipeline": nlp.pipe_names}))
"""


def setup_baselines() -> None:
    for name, (venv, packages) in VENVS.items():
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *packages], check=True)
        print(f"{name}: {venv} ready")


def best_of(repeat: int, run) -> float:
    return best_of_each(repeat, {"run": run})["run"]


def best_of_each(repeat: int, runs: dict) -> dict[str, float]:
    """Best time of each run over ``repeat`` rounds; each round runs every one once, in turn."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: min(found) for name, found in times.items()}


def step_split(analyzer, texts: list[str], repeat: int) -> dict[str, float]:
    """Microseconds per report of each step of ``ReportComponent.analyze_text``, memo off (best round of each step).

    The steps are those of ``ReportComponent.analyze_text`` and ``SentenceAnalyzer.analyze``, called one by one;
    keep the three in step.
    """
    import bisect

    from spacy.attrs import IDX

    from curation.reports.caseless import lower_if_exact
    from curation.reports.sentence_findings import _token_spans, join_sentences
    from curation.reports.sentences import sentence_starts, sentence_token_starts
    from curation.reports.term_matcher import TermKind

    component = analyzer.component
    engine = component.sentences
    best: dict[str, float] = {}
    clock = time.perf_counter
    for _ in range(repeat):
        spent: dict[str, float] = {}

        def tick(step: str, since: float, spent: dict[str, float] = spent) -> float:
            now = clock()
            spent[step] = spent.get(step, 0.0) + now - since
            return now

        for text in texts:
            t = clock()
            sections = component.splitter.split(text)
            t = tick("sections", t)
            forced = [offset for s in sections for offset in (s.heading_start, s.start) if offset < len(text)]
            bounds = [*sentence_starts(text, forced), len(text)]
            sentences = [text[a:b].strip() for a, b in itertools.pairwise(bounds)]
            sentences = [s for s in sentences if s]
            if not sentences:
                continue
            t = tick("sentence splitting", t)
            joined, char_starts = join_sentences(sentences)
            doc = engine.tokenizer(joined)
            t = tick("tokenizer (the report's sentences)", t)
            if doc.to_array(engine._suspect).any():  # a misspelt word: corrected, tokenized again
                corrected = [engine.misspellings.corrected(sentence)[0] for sentence in sentences]
                joined, char_starts = join_sentences(corrected)
                doc = engine.tokenizer(joined)
            t = tick("misspelt words (check, correction)", t)
            found = engine.terms(doc)
            t = tick("PhraseMatcher + handing out matches", t)
            token_starts = doc.to_array(IDX).tolist()
            starts = sentence_token_starts(token_starts, char_starts)
            if engine.organ_statements is not None:
                found[TermKind.NORMAL] += _token_spans(engine.organ_statements.find(joined), token_starts)
            systems: dict[int, set[str]] = {}
            for system, start, _end in found[TermKind.ORGAN_SYSTEM]:
                systems.setdefault(bisect.bisect_right(starts, start) - 1, set()).add(system)
            t = tick("sentence token starts + organ systems", t)
            lower = lower_if_exact(joined)
            joined_bounds = [*char_starts, len(joined)]
            mentions = engine.mentions.find(doc, joined, found, starts, joined_bounds, token_starts, lower)
            t = tick("mentions", t)
            engine.assertion.assign(mentions, found, starts, doc)
            t = tick("assertion", t)
            engine.attributes.assign(mentions, joined, joined_bounds, lower)
            tick("attributes", t)
        for step, seconds in spent.items():
            best[step] = min(best.get(step, seconds), seconds)
    engine.forget()
    memo_size, engine.memo_size = engine.memo_size, 0
    start = clock()
    for _ in range(repeat):
        for text in texts:
            component.analyze_text(text)
    engine.memo_size = memo_size
    best = {"all (memo off)": (clock() - start) / repeat, **best}
    return {step: seconds / len(texts) * 1e6 for step, seconds in best.items()}


def run_baseline(kind: str, texts: list[str], terms: dict[str, list[str]], repeat: int) -> dict | None:
    venv = VENVS[kind][0]
    if not (venv / "bin" / "python").exists():
        print(f"{kind}: no venv at {venv} (run with --setup-baselines); skipped")
        return None
    with tempfile.TemporaryDirectory() as folder:
        job, script = Path(folder) / "job.json", Path(folder) / "baseline.py"
        job.write_text(json.dumps({"texts": texts, "terms": terms, "repeat": repeat, "kind": kind}))
        script.write_text(_BASELINE)
        done = subprocess.run([str(venv / "bin" / "python"), str(script), str(job)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{kind}: failed\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--text-column", default="report_text")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--setup-baselines", action="store_true", help="create the negspacy and medspaCy venvs")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--steps", action="store_true", help="also time each step of the extraction")
    args = parser.parse_args(argv)
    if args.setup_baselines:
        setup_baselines()

    import polars as pl
    import spacy

    from curation.reports.lexicon import load_lexicon
    from curation.reports.mentions import phrase_variants
    from curation.reports.report_analyzer import ReportAnalyzer

    texts = [str(t or "") for t in pl.read_csv(args.csv).get_column(args.text_column).to_list()]
    terms = {
        label.name: sorted({v for s in label.synonyms for v in phrase_variants(s)}) for label in load_lexicon().labels
    }
    analyzer = ReportAnalyzer()
    blank = spacy.blank("en")
    list(analyzer.analyze_many(texts))  # warm: the vocabulary learns the corpus's words once
    memo = analyzer.component.sentences
    memo_size = memo.memo_size

    def extraction(remember: bool) -> list:
        memo.forget()  # each round starts with an empty memo: it only knows sentences met earlier in the round
        memo.memo_size = memo_size if remember else 0
        return list(analyzer.analyze_many(texts))

    results: dict[str, float] = best_of_each(
        args.repeat,
        {
            "ctcurate full extraction": lambda: extraction(remember=True),
            "ctcurate, sentence memo off": lambda: extraction(remember=False),
            "spaCy bare tokenizer": lambda: [blank.make_doc(t) for t in texts],
        },
    )
    memo.memo_size = memo_size
    if not args.no_baselines:
        for kind, title in (("negspacy", "negspacy (sentencizer+ruler+negex)"), ("medspacy", "medspaCy default")):
            found = run_baseline(kind, texts, terms, args.repeat)
            if found is not None:
                results[title] = found["seconds"]
    ours = results["ctcurate full extraction"]
    print(f"{len(texts)} reports, best of {args.repeat}, one process (n_process=1); goal: >= 2,000 reports/s")
    for name, seconds in results.items():
        rate = len(texts) / seconds
        print(
            f"{name:38} {seconds:7.2f} s {rate:8.0f} reports/s   ctcurate speed relative to it: {seconds / ours:.2f}x"
        )
    if args.steps:
        print("per report, memo off, each step's best round ('all': mean of a plain run):")
        for step, micros in step_split(analyzer, texts, args.repeat).items():
            print(f"  {step:38} {micros:7.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
