"""Cache keys: stable, blind to parameter order, sensitive to code and to every input byte."""

import hashlib
import textwrap
from pathlib import Path

import msgspec

from psynapse import no_cache
from psynapse_common import codec
from psynapse_common.blobs import reference
from psynapse_common.cache import cache_key, value_digest
from psynapse_common.nodepacks import load_catalog


def raw(value: object) -> msgspec.Raw:
    return msgspec.Raw(codec.encode(value))


def test_key_is_stable_and_independent_of_param_order():
    first = cache_key("code1", "add", {"a": raw(1), "b": raw(2)})
    again = cache_key("code1", "add", {"b": raw(2), "a": raw(1)})
    assert first == again
    assert len(first) == 64 and int(first, 16) >= 0  # a valid KV key: hex only
    # A fixed input gives a fixed key across processes and releases (no salt drift).
    assert cache_key("c", "f", {}) == cache_key("c", "f", {})


def test_key_changes_with_code_name_and_each_input():
    base = cache_key("code1", "add", {"a": raw(1), "b": raw(2)})
    assert cache_key("code2", "add", {"a": raw(1), "b": raw(2)}) != base
    assert cache_key("code1", "plus", {"a": raw(1), "b": raw(2)}) != base
    assert cache_key("code1", "add", {"a": raw(1), "b": raw(3)}) != base
    assert cache_key("code1", "add", {"a": raw(1.0), "b": raw(2)}) != base  # other bytes, other key
    # Swapping values between params, or dropping one, is another call.
    assert cache_key("code1", "add", {"a": raw(2), "b": raw(1)}) != base
    assert cache_key("code1", "add", {"a": raw(1)}) != base


def test_parts_cannot_run_into_each_other():
    # Length-prefixed parts: moving a character across a boundary changes the key.
    assert cache_key("ab", "c", {}) != cache_key("a", "bc", {})
    assert cache_key("c", "f", {"xy": raw(1)}) != cache_key("c", "f", {"x": raw(1)})


def test_a_blob_reference_hashes_as_the_value_it_refers_to():
    value = raw(list(range(100_000)))
    name = hashlib.sha256(bytes(value)).hexdigest()
    ref = reference(name, len(value))
    assert value_digest(ref) == value_digest(value) == hashlib.sha256(bytes(value)).digest()
    assert cache_key("c", "f", {"x": ref}) == cache_key("c", "f", {"x": value})
    # A value that merely contains a reference is hashed as itself.
    wrapped = msgspec.Raw(msgspec.msgpack.encode([ref]))
    assert value_digest(wrapped) == hashlib.sha256(bytes(wrapped)).digest()


def write(root: Path, relpath: str, source: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())


def test_code_hash_follows_source_and_pack_version(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        from psynapse import no_cache

        def f(x: int) -> int:
            return x

        def g(x: int) -> int:
            return x

        @no_cache
        def now() -> float:
            import time
            return time.time()
    """,
    )
    write(tmp_path, "p/helpers.py", "K = 1\n")
    first = load_catalog(tmp_path).nodes
    assert first["f"].code_hash and first["f"].code_hash != first["g"].code_hash
    assert (first["f"].cacheable, first["now"].cacheable) == (True, False)
    assert load_catalog(tmp_path).nodes["f"].code_hash == first["f"].code_hash  # stable

    # Without a version, any file of the pack counts (f may import helpers).
    write(tmp_path, "p/helpers.py", "K = 2\n")
    second = load_catalog(tmp_path).nodes
    assert second["f"].code_hash != first["f"].code_hash

    # With a version, only the node's own source and the version count.
    ops = (tmp_path / "p" / "ops.py").read_text()
    (tmp_path / "p" / "ops.py").write_text('PSYNAPSE_VERSION = "1.0"\n' + ops)
    v1 = load_catalog(tmp_path).nodes
    write(tmp_path, "p/helpers.py", "K = 3\n")
    assert load_catalog(tmp_path).nodes["f"].code_hash == v1["f"].code_hash
    (tmp_path / "p" / "ops.py").write_text(
        (tmp_path / "p" / "ops.py")
        .read_text()
        .replace("def g(x: int) -> int:\n    return x", "def g(x: int) -> int:\n    return -x")
    )
    edited = load_catalog(tmp_path).nodes
    assert edited["f"].code_hash == v1["f"].code_hash and edited["g"].code_hash != v1["g"].code_hash
    (tmp_path / "p" / "ops.py").write_text(
        (tmp_path / "p" / "ops.py").read_text().replace('PSYNAPSE_VERSION = "1.0"', 'PSYNAPSE_VERSION = "1.1"')
    )
    assert load_catalog(tmp_path).nodes["f"].code_hash != v1["f"].code_hash


def test_module_flag_and_decorator_opt_out_classes_too(tmp_path):
    write(
        tmp_path,
        "q/ops.py",
        """
        PSYNAPSE_CACHE = False

        def stamp() -> int:
            return 1
    """,
    )
    write(
        tmp_path,
        "q/progress_ops.py",
        """
        from psynapse import no_cache

        class _Reporter:
            def set_callback(self, cb):
                self.cb = cb

        @no_cache
        class Tick:
            def __init__(self):
                self._progress_reporter = _Reporter()

            def __call__(self, n: int = 1) -> int:
                return n

        class Count:
            def __init__(self):
                self._progress_reporter = _Reporter()

            def __call__(self, n: int = 1) -> int:
                return n
    """,
    )
    nodes = load_catalog(tmp_path).nodes
    assert {name: nodes[name].cacheable for name in ("stamp", "Tick", "Count")} == {
        "stamp": False,
        "Tick": False,
        "Count": True,
    }
    assert nodes["Count"].code_hash


def test_no_cache_returns_the_target_itself():
    def f() -> int:
        return 1

    assert no_cache(f) is f and vars(f)["__psynapse_cache__"] is False
