#!/usr/bin/env python3
"""Regenerates Sources/Derivation/BuiltinModels.swift from Derivations/*.model.

Run from the package root after editing a built-in model; BuiltinModelTests fails until the
embedded copies equal the files.
"""
import pathlib

MODELS = ["mlp", "mlp-no-bias", "deep-linear", "mlp-ntk"]  # the first is the default

root = pathlib.Path(__file__).resolve().parent.parent
out = [
    "// swift-format-ignore-file",
    "// Generated; the raw model texts must stay byte-identical.",
    "/// Model files embedded in the binary so `derive` works from any directory.",
    "///",
    "/// Generated from `Derivations/*.model` by `Scripts/embed-models.py`; `BuiltinModelTests`",
    "/// fails if they drift apart.",
    "public enum BuiltinModels {",
    "  /// Name → model text, in a fixed order (the first is the default).",
    "  public static let all: [(name: String, text: String)] = [",
]
for name in MODELS:
    text = (root / "Derivations" / f"{name}.model").read_text()
    assert '"""#' not in text
    out.append(f'    ("{name}", #"""\n{text}"""#),')
out += [
    "  ]",
    "",
    "  /// The default model (the MLP).",
    "  public static var defaultModel: (name: String, text: String) { all[0] }",
    "",
    "  /// The text of a built-in model, or nil.",
    "  public static func text(named name: String) -> String? { all.first { $0.name == name }?.text }",
    "}",
]
(root / "Sources" / "Derivation" / "BuiltinModels.swift").write_text("\n".join(out) + "\n")
