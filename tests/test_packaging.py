"""LabelDesk installs three top-level packages, `store`, `screens` and `tui`. That is safe only
where no other installed distribution ships a module of the same name, which is why the README
installs LabelDesk into an environment of its own. This test proves the claim for the
environment the suite runs in: every distribution installed beside LabelDesk (its dependencies
and the test tools) is checked for a top-level `store`, `screens` or `tui`."""

from importlib import metadata

OURS = {"store", "screens", "tui"}


def top_level_names(dist: metadata.Distribution) -> set[str]:
    declared = dist.read_text("top_level.txt")
    if declared:
        return {line.strip() for line in declared.splitlines() if line.strip()}
    names = set()
    for file in dist.files or []:
        parts = file.parts
        if not parts or parts[0].endswith((".dist-info", ".egg-info", ".data")) or parts[0] == "..":
            continue
        names.add(parts[0].removesuffix(".py"))
    return names


def test_no_other_distribution_ships_our_top_level_names():
    clashes = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name == "labeldesk":
            continue
        taken = top_level_names(dist) & OURS
        if taken:
            clashes[name] = sorted(taken)
    assert not clashes, f"installed distributions that also provide our package names: {clashes}"


def test_labeldesk_provides_exactly_its_three_packages():
    dist = metadata.distribution("labeldesk")
    assert dist.entry_points.select(group="console_scripts", name="labeldesk")
    import screens
    import store
    import tui
    for module in (store, screens, tui):
        assert module.__file__ is not None
