"""The curriculum tree: curricula → strands → stages → milestones, with the highlighted milestone's
guidance, prerequisites, what it unlocks, and how many in the current class have it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from ...models import Curriculum, LinkProvenance
from ...service import Service
from ..failures import guarded
from ..text import plain, rich_text
from ..widgets.keys import KeyBar
from .base import Read, ServiceScreen
from .modals import HelpScreen, SearchScreen


class CurriculaLoaded(Read):
    def __init__(self, curricula: list[Curriculum]) -> None:
        super().__init__()
        self.curricula = curricula


class CountsLoaded(Read):
    """How many of the pupils who follow each curriculum (``followers``, by curriculum) have
    achieved each milestone, by (curriculum, milestone)."""

    def __init__(self, achieved: Counter, followers: Counter) -> None:
        super().__init__()
        self.achieved = achieved
        self.followers = followers


def load_tree(service: Service, class_name: str | None) -> Iterator[Read]:
    """The curricula first; then, for the class (or the school), who of the pupils following each
    curriculum has achieved what (a pupil off a curriculum's pathway is not counted in it)."""
    curricula = service.curricula()
    yield CurriculaLoaded(curricula)
    pupils = service.pupils(class_name)
    pathways = service.pathways_of(pupils)
    achieved: Counter = Counter()
    followers: Counter = Counter()
    for c in curricula:
        ids = [pid for pid, followed in pathways.items() if c.id in followed]
        followers[c.id] = len(ids)
        if ids:
            for record in service.records(c.id, ids).values():
                achieved.update((c.id, m) for m in record.achieved())
    yield CountsLoaded(achieved, followers)


class CurriculumTree(Tree):
    """The tree, with Right to open a branch (or step into it) and Left to close it (or step out
    to its parent)."""

    BINDINGS = [
        Binding("right", "open", "Open", show=False, id="tree.open"),
        Binding("left", "close", "Close", show=False, id="tree.close"),
    ]

    def action_open(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_close(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


class TreeScreen(ServiceScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="tree.back"),
        Binding("slash", "search", "Search", id="tree.search"),
        Binding("n", "search_next", "Next match", id="tree.search_next"),
        Binding("question_mark", "help", "Help", id="tree.help"),
    ]

    HELP = [
        ("arrows", "move; Right opens (or steps in), Left closes (or steps out); Enter toggles"),
        ("/", "search milestones by id or words"),
        ("n", "next search match"),
        ("Tab", "to the prerequisites and unlocks list; Enter jumps there"),
        ("Esc", "back"),
        ("q", "quit"),
    ]

    def __init__(self, service: Service, class_name: str | None) -> None:
        super().__init__(service)
        self.class_name = class_name
        self.curricula: dict[str, Curriculum] = {}
        self.counts: CountsLoaded | None = None
        self.shown: tuple[str, str] | None = None
        self.nodes: dict[tuple[str, str], TreeNode] = {}
        self.search_text = ""
        self.matches: list[tuple[str, str]] = []
        self.match_index = 0

    def compose(self) -> ComposeResult:
        yield Static(Content("Curricula"), id="tree-title")
        with Horizontal(id="tree-body"):
            yield CurriculumTree(Text("Curricula"), id="curriculum-tree")
            with Vertical(id="tree-detail"):
                yield Static(id="milestone-detail")
                yield OptionList(id="links")
        yield KeyBar()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()
        self.reload()

    def reload(self) -> None:
        class_name = self.class_name
        self.read("tree", lambda service: load_tree(service, class_name))

    @guarded
    def on_curricula_loaded(self, message: CurriculaLoaded) -> None:
        if not self.is_latest(message):
            return
        fresh = {c.id: c for c in message.curricula}
        if fresh == self.curricula:
            return
        self.curricula = fresh
        tree = self.query_one(Tree)
        tree.clear()
        self.nodes = {}
        for c in message.curricula:
            self.add_curriculum(tree.root, c)
        if tree.root.children:
            tree.move_cursor(tree.root.children[0])

    @guarded
    def on_counts_loaded(self, message: CountsLoaded) -> None:
        if not self.is_latest(message):
            return
        self.counts = message
        if self.shown is not None:
            self.show(*self.shown)

    def add_curriculum(self, root: TreeNode, c: Curriculum) -> None:
        top = root.add(rich_text(c.title, "bold"), data=None, expand=False)
        children: dict[str | None, list] = {}
        for s in c.strands:
            children.setdefault(s.parent, []).append(s)
        used_strands = {m.strand for m in c.milestones}

        def add_strand(parent: TreeNode, strand) -> None:
            node = parent.add(rich_text(strand.title), expand=False)
            for sub in children.get(strand.id, []):
                add_strand(node, sub)
            if strand.id in used_strands:
                for st in c.stages:
                    ms = [m for m in c.milestones_by_stage.get(st.id, []) if m.strand == strand.id]
                    if not ms:
                        continue
                    stage_node = node.add(rich_text(st.title), expand=False)
                    for m in ms:
                        label = Text(f"{m.id}  {plain(m.title)}" + ("  (retired)" if m.retired else ""))
                        label.stylize("bold", 0, len(m.id))
                        if m.retired:
                            label.stylize("dim")
                        self.nodes[(c.id, m.id)] = stage_node.add_leaf(label, data=(c.id, m.id))

        for strand in children.get(None, []):
            add_strand(top, strand)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data:
            self.show(*event.node.data)

    def show(self, curriculum_id: str, milestone_id: str) -> None:
        c = self.curricula.get(curriculum_id)
        if c is None or milestone_id not in c.milestone_by_id:
            return
        self.shown = (curriculum_id, milestone_id)
        m = c.milestone_by_id[milestone_id]
        stage = c.stage_by_id.get(m.stage)
        strand = c.strand_by_id.get(m.strand)
        who = f"class {self.class_name}" if self.class_name else "the school"
        if self.counts is None:
            achieved_by = f"Counting the pupils in {who} who have it…"
        else:
            have, of = self.counts.achieved[(c.id, m.id)], self.counts.followers[c.id]
            pupils = "pupil" if of == 1 else "pupils"
            achieved_by = f"Achieved by {have} of the {of} {pupils} in {who} who follow {c.id}."
        body = [
            f"{m.id}  {m.title}",
            f"{stage.title if stage else m.stage}  ·  {strand.title if strand else m.strand}",
            achieved_by,
        ]
        if m.retired:
            body.append(
                "Retired: no longer taught. Achievements of it stay and still count; it takes no new judgements."
            )
        moved_here = [old for old, new in c.curriculum.moved.items() if new == m.id]
        if moved_here:
            body.append(f"Judgements recorded as {', '.join(moved_here)} count here.")
        if m.guidance:
            body.append(m.guidance)
        self.query_one("#milestone-detail", Static).update(Content(plain("\n".join(body), multiline=True)))
        links = self.query_one("#links", OptionList)
        links.clear_options()

        def why(link: LinkProvenance | None) -> str:
            return f"\n         ({link.text})" if link is not None else ""

        # every link with where it comes from: a source, or this project's reading and why
        options = [
            Option(
                Content(plain(f"needs    {r}  {c.milestone_by_id[r].title}{why(m.link(r))}", multiline=True)),
                id=f"{c.id}\t{r}",
            )
            for r in m.requires
        ]
        options += [
            Option(
                Content(
                    plain(
                        f"unlocks  {u}  {c.milestone_by_id[u].title}{why(c.milestone_by_id[u].link(m.id))}",
                        multiline=True,
                    )
                ),
                id=f"{c.id}\t{u}",
            )
            for u in c.unlocks.get(m.id, [])
        ]
        links.add_options(options or [Option("No prerequisites, unlocks nothing.", disabled=True)])
        links.highlighted = 0 if options else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            cid, mid = event.option.id.split("\t")
            self.jump(cid, mid)

    def jump(self, curriculum_id: str, milestone_id: str) -> None:
        node = self.nodes.get((curriculum_id, milestone_id))
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        tree = self.query_one(Tree)
        tree.focus()
        self.call_after_refresh(tree.move_cursor, node)
        self.call_after_refresh(tree.scroll_to_node, node)

    def action_search(self) -> None:
        def done(text: str | None) -> None:
            if not text:
                return
            self.search_text = text.lower()
            self.matches = []
            for c in self.curricula.values():
                for m in c.milestones:
                    if self.search_text in m.id.lower() or self.search_text in m.title.lower():
                        self.matches.append((c.id, m.id))
            self.match_index = 0
            if self.matches:
                self.jump(*self.matches[0])
                self.notify(f"{len(self.matches)} matches; n for the next.", markup=False, timeout=3)
            else:
                self.notify(f"No milestone matches {text!r}.", markup=False, timeout=3)

        self.app.push_screen(SearchScreen(self.search_text), done)

    def action_search_next(self) -> None:
        if self.matches:
            self.match_index = (self.match_index + 1) % len(self.matches)
            self.jump(*self.matches[self.match_index])

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Curriculum tree — keys", self.HELP))
