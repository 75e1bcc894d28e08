"""Property: whatever members do (move, post, reply, edit, delete), after every step each
member receives exactly the comments the spoiler rule allows, on every surface, and not a
word or id of any other; and every message that could be mailed to them (a digest of all
time, a notice of every reply, a reminder for every chapter on the schedule) carries no
text, id, author, count or chapter title beyond their place.

The expected visibility comes from a model kept here, independent of the app's gate."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from companion import accounts
from companion.circles import create_circle
from companion.cli import import_work
from companion.extensions import db
from companion.importers import parse_bytes
from companion.models import Delivery, Membership, ScheduleEntry, utcnow
from companion.notify.compose import compose
from companion.spoilers import Position
from tests.conftest import Reader, empty_database

# A small work keeps each step fast and collisions likely: 2 chapters of 2 paragraphs,
# with titles no other text contains (a title is a spoiler until its chapter is reached).
CHAPTERS, PARAGRAPHS = 2, 2
TITLES = {1: "Quietharbor", 2: "Stormwake"}
WORK = "\n".join(
    f"Chapter {n}: {TITLES[n]}\nChapter Text\n"
    + "\n".join(f"Paragraph {p} of chapter {n}, plain story text." for p in range(PARAGRAPHS))
    for n in range(1, CHAPTERS + 1)
).encode()
MEMBERS = ["mo", "ny", "ola"]
POSITIONS = [Position(0, 0)] + [
    Position(c, p) for c in range(1, CHAPTERS + 1) for p in range(PARAGRAPHS)
]
TOKENS = (f"tok{n:04d}x" for n in itertools.count())


class Discussion(RuleBasedStateMachine):
    app = None  # set by the test below

    @initialize()
    def setup(self):
        empty_database(self.app)
        with self.app.app_context():
            work, _ = import_work(parse_bytes(WORK, "small.txt"), title="A small work")
            users = [accounts.create_user(name, "a long enough password") for name in MEMBERS]
            db.session.flush()
            circle = create_circle(users[0], "Property", work)
            circle.memberships += [Membership(user=u) for u in users[1:]]
            for user in users:
                user.email, user.email_verified_at = f"{user.name}@example.org", utcnow()
            today = utcnow().date()
            circle.schedule = [ScheduleEntry(chapter=n, due=today + timedelta(days=n))
                               for n in range(1, CHAPTERS + 1)]  # fmt: skip
            self.tokens = {u.name: accounts.create_token(u) for u in users}
            db.session.commit()
            self.slug, self.work, self.circle = circle.slug, work.id, circle.id
            self.ids = {u.name: u.id for u in users}
        self.readers = {name: Reader(self.app, name).login("a long enough password")
                        for name in MEMBERS}  # fmt: skip
        self.progress = dict.fromkeys(MEMBERS, Position(0, 0))
        # id -> {"author", "level", "chapter", "paragraph", "text", "deleted", "parent"}
        self.comments: dict[int, dict] = {}
        self.dead_words: set[str] = set()  # edited away or deleted: never shown again

    # --- what the model says ---------------------------------------------------------

    def may_see(self, member: str, c: dict) -> bool:
        return c["author"] == member or c["level"] <= self.progress[member]

    def live(self, member: str):
        return [i for i, c in self.comments.items() if not c["deleted"] and self.may_see(member, c)]

    # --- actions ---------------------------------------------------------------------

    @rule(member=st.sampled_from(MEMBERS), to=st.sampled_from(POSITIONS))
    def move(self, member, to):
        response = self.readers[member].client.put(
            f"/api/v1/works/{self.work}/progress",
            json={"chapter": to.chapter, "paragraph": to.paragraph},
            headers={"Authorization": f"Bearer {self.tokens[member]}"},
        )
        if to == Position(0, 0):
            assert response.status_code == 404  # "not started" is not a chapter
            return
        assert response.status_code == 200
        self.progress[member] = to

    @rule(
        member=st.sampled_from(MEMBERS),
        chapter=st.integers(1, CHAPTERS),
        paragraph=st.one_of(st.none(), st.integers(0, PARAGRAPHS - 1)),
        lowest=st.booleans(),
    )
    def post(self, member, chapter, paragraph, lowest):
        anchor = Position(chapter, paragraph or 0)
        level = anchor if lowest else max(self.progress[member], anchor)
        text = next(TOKENS)
        data = {"body": f"Thoughts {text}", "level": f"{level.chapter}:{level.paragraph}"}
        if paragraph is not None:
            data["paragraph"] = str(paragraph)
        response = self.readers[member].post(f"/c/{self.slug}/chapters/{chapter}/comments", data)
        assert response.status_code == 302
        new_id = int(re.search(r"#comment-(\d+)", response.headers["Location"]).group(1))
        self.comments[new_id] = {"author": member, "level": level, "chapter": chapter,
                                 "paragraph": paragraph, "text": text, "deleted": False,
                                 "parent": None}  # fmt: skip

    @precondition(lambda self: self.comments)
    @rule(member=st.sampled_from(MEMBERS), pick=st.integers(0, 10_000))
    def reply(self, member, pick):
        parents = self.live(member)
        if not parents:
            return
        parent_id = parents[pick % len(parents)]
        parent = self.comments[parent_id]
        level = max(parent["level"], self.progress[member])
        text = next(TOKENS)
        response = self.readers[member].post(
            f"/c/{self.slug}/chapters/{parent['chapter']}/comments",
            {"body": f"Reply {text}", "parent_id": str(parent_id)},
        )
        assert response.status_code == 302
        new_id = int(re.search(r"#comment-(\d+)", response.headers["Location"]).group(1))
        self.comments[new_id] = {"author": member, "level": level, "chapter": parent["chapter"],
                                 "paragraph": parent["paragraph"], "text": text,
                                 "deleted": False, "parent": parent_id}  # fmt: skip

    @precondition(lambda self: self.comments)
    @rule(member=st.sampled_from(MEMBERS), pick=st.integers(0, 10_000))
    def try_to_reply_to_the_unseen(self, member, pick):
        unseen = [i for i, c in self.comments.items() if not self.may_see(member, c)]
        if not unseen:
            return
        target = self.comments[unseen[pick % len(unseen)]]
        response = self.readers[member].post(
            f"/c/{self.slug}/chapters/{target['chapter']}/comments",
            {"body": "sneaky", "parent_id": str(unseen[pick % len(unseen)])},
        )
        assert response.status_code == 404

    @precondition(lambda self: self.comments)
    @rule(member=st.sampled_from(MEMBERS), pick=st.integers(0, 10_000))
    def edit(self, member, pick):
        own = [i for i in self.live(member) if self.comments[i]["author"] == member]
        if not own:
            return
        cid = own[pick % len(own)]
        text = next(TOKENS)
        response = self.readers[member].client.patch(
            f"/api/v1/comments/{cid}", json={"body": f"Edited {text}"},
            headers={"Authorization": f"Bearer {self.tokens[member]}"},
        )  # fmt: skip
        assert response.status_code == 200
        self.dead_words.add(self.comments[cid]["text"])
        self.comments[cid]["text"] = text

    @precondition(lambda self: self.comments)
    @rule(member=st.sampled_from(MEMBERS), pick=st.integers(0, 10_000))
    def delete(self, member, pick):
        own = [i for i in self.live(member) if self.comments[i]["author"] == member]
        if not own:
            return
        cid = own[pick % len(own)]
        response = self.readers[member].client.delete(
            f"/api/v1/comments/{cid}", headers={"Authorization": f"Bearer {self.tokens[member]}"}
        )
        assert response.status_code == 204
        self.dead_words.add(self.comments[cid]["text"])
        self.comments[cid]["deleted"] = True

    # --- the property ----------------------------------------------------------------

    def surfaces(self, member: str) -> list[tuple[str, str]]:
        reader, slug = self.readers[member], self.slug
        paths = [f"/c/{slug}", f"/c/{slug}/unlocked", f"/c/{slug}/unlocked/notice"]
        for n in range(1, CHAPTERS + 1):
            paths += [f"/c/{slug}/chapters/{n}", f"/c/{slug}/chapters/{n}/thread"]
            paths += [f"/c/{slug}/chapters/{n}/paragraphs/{p}" for p in range(PARAGRAPHS)]
        if member == "mo":  # the owner moderates
            paths.append(f"/c/{slug}/moderation")
        pages = []
        for path in paths:
            response = reader.get(path, headers={"HX-Request": "true"} if "thread" in path else {})
            assert response.status_code == 200, path
            pages.append((path, response.get_data(as_text=True)))
        return pages

    def api_lists(self, member: str) -> dict[int, dict]:
        lists = {}
        for n in range(1, CHAPTERS + 1):
            response = self.readers[member].client.get(
                f"/api/v1/circles/{self.slug}/chapters/{n}/comments",
                headers={"Authorization": f"Bearer {self.tokens[member]}"},
            )
            assert response.status_code == 200
            lists[n] = response.get_json()
        return lists

    @invariant()
    def every_member_gets_exactly_what_the_rule_allows(self):
        if not hasattr(self, "slug"):
            return
        for member in MEMBERS:
            hidden = [(i, c) for i, c in self.comments.items() if not self.may_see(member, c)]
            pages = self.surfaces(member)
            lists = self.api_lists(member)
            everything = "\n".join(text for _, text in pages) + json.dumps(lists)
            for cid, c in hidden:
                assert c["text"] not in everything, (member, cid)
                for path, text in pages:
                    assert f'comment-{cid}"' not in text, (member, cid, path)
                    assert f'digest-{cid}"' not in text, (member, cid, path)
            for word in self.dead_words:
                assert word not in everything, (member, word)
            for n, listing in lists.items():
                shown = {c["id"] for c in listing["comments"]}
                for cid in shown:
                    assert self.may_see(member, self.comments[cid]), (member, cid)
                expected = {i for i in self.live(member) if self.comments[i]["chapter"] == n}
                assert expected <= shown, (member, n, expected - shown)
                locked = sum(1 for _, c in hidden if c["chapter"] == n and not c["deleted"])
                assert listing["locked"] == locked, (member, n)
            chapter_pages = {p: t for p, t in pages if re.fullmatch(r"/c/[^/]+/chapters/\d+", p)}
            for cid in self.live(member):
                c = self.comments[cid]
                assert c["text"] in chapter_pages[f"/c/{self.slug}/chapters/{c['chapter']}"] or (
                    c["paragraph"] is not None
                ), (member, cid)

    # --- what mail may say -----------------------------------------------------------

    def messages(self, member: str) -> dict[tuple[str, str], object]:
        """Every message that could be sent to the member now, composed by the app."""
        periods = [("digest", "all-time")]
        periods += [("reply", f"comment-{i}") for i, c in self.comments.items() if c["parent"]]
        periods += [("reminder", f"chapter-{n}") for n in range(1, CHAPTERS + 1)]
        address = f"{member}@example.org"
        messages = {}
        with self.app.app_context():
            for kind, period in periods:
                delivery = Delivery(user_id=self.ids[member], circle_id=self.circle, kind=kind,
                                    period=period, to_address=address)  # fmt: skip
                messages[(kind, period)] = compose(delivery)
        return messages

    def assert_tells_nothing_beyond(self, member: str, msg, allowed: set[int]):
        """No text, id, author, count or title of anything the member may not see; the
        comments the message shows are exactly `allowed`, each under its own author."""
        everything = "\n".join([msg.subject, msg.text, msg.html, *msg.headers.values()])
        for cid, c in self.comments.items():
            if cid in allowed:
                continue
            if not self.may_see(member, c) or c["deleted"]:
                assert c["text"] not in everything, (member, cid)
            assert not re.search(rf"/comments/{cid}\b", everything), (member, cid)
            assert f'digest-{cid}"' not in everything, (member, cid)
        for word in self.dead_words:
            assert word not in everything, (member, word)
        for n, title in TITLES.items():
            if n > self.progress[member].chapter:
                assert title not in everything, (member, n)
        shown = re.findall(r'id="digest-(\d+)">(.*?)</(?:li|blockquote)>', msg.html, re.S)
        assert {int(i) for i, _ in shown} == allowed, (member, allowed)
        for cid, entry in shown:
            c = self.comments[int(cid)]
            assert c["text"] in entry, (member, cid)
            if "<strong>" in entry:
                assert f"<strong>{c['author']}</strong>" in entry, (member, cid)
        # Names appear only on the comments shown (and the greeting to the member).
        rest = re.sub(r'id="digest-\d+">.*?</(?:li|blockquote)>', "", msg.html, flags=re.S)
        rest = re.sub(r"https?://\S+", "", rest + msg.text)
        for name in MEMBERS:
            if name != member and not any(self.comments[int(i)]["author"] == name
                                          for i, _ in shown):  # fmt: skip
                assert not re.search(rf"\b{name}\b", rest + msg.subject), (member, name)
        # The only counts: of the comments shown.
        for count in re.findall(r"(\d+) (?:new )?(?:comments?|repl(?:y|ies)|unlock|locked)",
                                everything):  # fmt: skip
            assert int(count) == len(allowed), (member, count, allowed)

    @invariant()
    def no_message_tells_a_member_anything_beyond_their_place(self):
        if not hasattr(self, "slug"):
            return
        for member in MEMBERS:
            messages = self.messages(member)
            seen = {i for i in self.live(member) if self.comments[i]["author"] != member}
            digest = messages[("digest", "all-time")]
            assert (digest is None) == (not seen), member
            if digest is not None:
                assert f"{len(seen)} new comment" in digest.subject
                self.assert_tells_nothing_beyond(member, digest, seen)
            for (kind, period), msg in messages.items():
                if kind == "reply":
                    cid = int(period.removeprefix("comment-"))
                    c = self.comments[cid]
                    parent = self.comments[c["parent"]]
                    due = parent["author"] == member != c["author"] and cid in seen
                    assert (msg is not None) == due, (member, cid)
                    if msg is not None:
                        assert c["author"] in msg.subject
                        # The member's own comment, quoted for context, is theirs to read.
                        self.assert_tells_nothing_beyond(member, msg, {cid})
                        others = set(self.comments) - {cid, c["parent"]}
                        for other in others:  # nothing about any other comment
                            assert self.comments[other]["text"] not in msg.text, (member, other)
                elif kind == "reminder":
                    n = int(period.removeprefix("chapter-"))
                    behind = self.progress[member] < Position(n, PARAGRAPHS - 1)
                    assert (msg is not None) == behind, (member, n)
                    if msg is not None:
                        assert f"chapter {n} is due" in msg.subject
                        self.assert_tells_nothing_beyond(member, msg, set())
                        assert not any(title in msg.text for title in TITLES.values())


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_spoiler_rule_holds_on_every_surface(app):
    Discussion.app = app
    machine = Discussion.TestCase
    machine.settings = settings(
        max_examples=15,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        machine().runTest()
    finally:
        empty_database(app)
