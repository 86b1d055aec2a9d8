from setuptools import setup
from setuptools_rust import Binding, RustExtension

setup(
    name="rjson",
    version="0.1.0",
    description="A fast JSON library for Python, exact drop-in for the standard library",
    python_requires=">=3.9",
    rust_extensions=[
        RustExtension(
            "rjson",
            path="Cargo.toml",
            binding=Binding.NoBinding,
            debug=False,
            features=["extension-module"],
        )
    ],
    # setuptools would otherwise take the Rust `src/` for a Python src-layout.
    packages=[],
    py_modules=[],
    zip_safe=False,
)
