"""Development command line (the Django management commands are the supported interface).

python -m diagnosis.ml.cli train [--kb DIR] [--out FILE] [--n-cases N] [--seed S]
python -m diagnosis.ml.cli eval --model FILE [--vignettes PATH ...] [--failures N]
python -m diagnosis.ml.cli parse "text the patient typed" [--kb DIR]
python -m diagnosis.ml.cli lint [--kb DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from diagnosis.ml.knowledge import lint_knowledge_base, load_knowledge_base
from diagnosis.ml.text import get_index

DEFAULT_MODEL = Path(tempfile.gettempdir()) / "diagnosis-model.joblib"


def _train(args: argparse.Namespace) -> int:
    from diagnosis.ml.predictor import Predictor
    from diagnosis.ml.training import train

    kb = load_knowledge_base(args.kb)
    result = train(kb, seed=args.seed, n_cases=args.n_cases, progress=lambda message: print(message, file=sys.stderr))
    sha = Predictor.from_train_result(result).save(args.out)
    print(json.dumps(result.metrics, indent=2))
    print(f"saved {args.out} sha256={sha} ({args.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from diagnosis.ml.evaluate import evaluate, load_vignettes
    from diagnosis.ml.predictor import Predictor, file_sha256

    predictor = Predictor.load(args.model, expected_sha256=file_sha256(args.model))
    report = evaluate(predictor, load_vignettes(args.vignettes or None))
    print(json.dumps(report.summary(), indent=2))
    for r in report.failures[: args.failures]:
        print(
            f"\n{r.id} rank={r.rank} triage={r.triage} (expected {r.expected_urgency}) "
            f"age={r.age} sex={r.sex} expected={list(r.expected_icd10)}"
        )
        print(f"  text: {r.text}")
        print(f"  findings: {[(c if p else '-' + c) for c, p in r.findings]}")
        print(f"  predicted: {[(cid, code, p) for cid, code, p in r.predicted[:3]]}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    kb = load_knowledge_base(args.kb)
    index = get_index(kb)
    print([t.word for t in index.tokenize(args.text)])
    for e in index.extract(args.text):
        print(f"{'+' if e.present else '-'}{e.code:35s} {e.text!r}")
    return 0


def _lint(args: argparse.Namespace) -> int:
    kb = load_knowledge_base(args.kb)
    notes = lint_knowledge_base(kb) + get_index(kb).conflicts
    print("\n".join(notes) or "no notes")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diagnosis.ml.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train")
    train.add_argument("--kb", type=Path, default=None)
    train.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    train.add_argument("--n-cases", type=int, default=60000)
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(func=_train)
    ev = sub.add_parser("eval")
    ev.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ev.add_argument("--vignettes", type=Path, nargs="*")
    ev.add_argument("--failures", type=int, default=30)
    ev.set_defaults(func=_eval)
    parse = sub.add_parser("parse")
    parse.add_argument("text")
    parse.add_argument("--kb", type=Path, default=None)
    parse.set_defaults(func=_parse)
    lint = sub.add_parser("lint")
    lint.add_argument("--kb", type=Path, default=None)
    lint.set_defaults(func=_lint)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
