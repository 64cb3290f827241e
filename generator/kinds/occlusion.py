"""Image occlusion: an image with named regions; one card per region, which is covered on the
front and named on the back. The others are covered too (`hide all`, the default) or left visible
(`hide one`).

Written by hand, beside the image, as rectangles in percent of the image's width and height:

    ### Occlusion: Parts of the heart
    ![Heart](img/heart.png)
    - Aorta: 42%, 8%, 14%, 10%
    - Left ventricle: 55%, 55%, 20%, 25%

The note is an Anki cloze note (`ankigen Image occlusion`): each region's label is a deletion
inside a box placed over the image, so Anki makes one card per region and marks the active one
(`.cloze`) on every client, and the theme's CSS covers the boxes. No script is needed: the cards
work on every Anki client, offline. docs/image-occlusion.md says why this is not Anki's own Image
Occlusion note type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from generator.anki.notetypes import FieldSpec, NoteType
from generator.kinds.context import (
    TAIL_FIELDS,
    CardContext,
    context_html,
    heading_markdown,
    level_of,
    tail,
)
from generator.notes import NO_TEXT, NoteMeta, Renderer, Text
from generator.source.outline import list_items

NOTE_TYPE = NoteType(
    key="occlusion",
    name="ankigen Image occlusion",
    label="image occlusion",
    model_id=1_731_004_209_001,
    fields=tuple(
        FieldSpec(name, 1_731_004_209_100 + index)
        for index, name in enumerate(("Header", "Occlusion", "BackExtra", *TAIL_FIELDS))
    ),
    template_name="Image occlusion",
    template_id=1_731_004_209_900,
    template_dir="occlusion",
    cloze=True,
)

LABELS = {"mode": "mode", "back": "back", "explanation": "back", "level": "level"}
MODES = {"hide all": "hide-all", "hide one": "hide-one"}
IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]+\)(?:\{:[^}]*\})?$")
NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*%?\s*"
REGION = re.compile(rf"^(?P<label>.+?)\s*:{NUMBER},{NUMBER},{NUMBER},{NUMBER}$")
MAX_REGIONS = 99


@dataclass(frozen=True, slots=True)
class Region:
    """A named rectangle over the image, in percent of its width and height."""

    label: str
    """Inline Markdown of the name: the answer of the region's card."""
    left: float
    """Left edge, percent of the image width."""
    top: float
    """Top edge, percent of the image height."""
    width: float
    """Width, percent of the image width."""
    height: float
    """Height, percent of the image height."""
    line: int
    """Line of the region in the lesson."""

    def style(self) -> str:
        return (
            f"left:{self.left:g}%;top:{self.top:g}%;width:{self.width:g}%;height:{self.height:g}%"
        )


@dataclass(frozen=True, slots=True)
class OcclusionNote:
    """An image and its named regions; Anki makes one card per region."""

    meta: NoteMeta
    """Identity, deck, tags and source."""
    question: Text
    """Inline Markdown of the heading after `Occlusion:`."""
    image: Text
    """The image, as Markdown (`![alt](path)`, with an optional attribute list)."""
    regions: tuple[Region, ...]
    """Regions in source order: region i is deletion c(i+1)."""
    mode: str = "hide-all"
    """`hide-all`: every region covered on the front; `hide-one`: only the asked one."""
    back_extra: Text = NO_TEXT
    """Shown under the image on the back."""

    note_type: ClassVar[str] = NOTE_TYPE.key

    @property
    def cards(self) -> tuple[int, ...]:
        return tuple(range(len(self.regions)))

    @property
    def card_texts(self) -> tuple[str, ...]:
        return tuple(region.label for region in self.regions)

    def render(self, md: Renderer) -> tuple[str, ...]:
        image = md.inline(self.image)
        boxes = "".join(
            f'<div class="ak-io-region" data-region="{index}" style="{region.style()}">'
            f"{{{{c{index}::{md.inline(Text(region.label, region.line))}}}}}</div>"
            for index, region in enumerate(self.regions, start=1)
        )
        stage = (
            f'<div class="ak-io-stage" data-mode="{self.mode}">'
            f'<div class="ak-io-frame">{image}{boxes}</div></div>'
        )
        return (
            md.inline(Text(heading_markdown(self.question.markdown), self.question.line)),
            stage,
            md.block(self.back_extra),
            *tail(self.meta, context_html(md, self.meta)),
        )


def parse(ctx: CardContext) -> list[OcclusionNote]:
    heading = ctx.block.heading
    question = heading.text.split(":", 1)[1].strip()
    if not question:
        error(ctx, heading.line, "write the question after 'Occlusion:'", "occlusion-no-question")
    split = ctx.fields(LABELS)
    items, other = list_items(split.preamble)
    images = [line for line in other if IMAGE.match(line.text.strip())]
    stray = [line for line in other if line.text.strip() and line not in images]
    if len(images) != 1:
        error(
            ctx,
            images[1].number if images else heading.line,
            "an occlusion card shows exactly one image ('![alt](path)') above its regions",
            "occlusion-image",
        )
    for line in stray[:1]:
        error(
            ctx,
            line.number,
            "text in an occlusion card other than the image and its regions: put it in '**Back:**'",
            "occlusion-stray-text",
        )
    regions = [region for item in items if (region := parse_region(ctx, item.line, item.text))]
    if not items:
        error(
            ctx,
            heading.line,
            "an occlusion card needs a list of regions: '- Label: left%, top%, width%, height%'",
            "occlusion-no-regions",
        )
    if len(regions) > MAX_REGIONS:
        error(ctx, heading.line, f"at most {MAX_REGIONS} regions", "occlusion-too-many")
    seen: dict[str, int] = {}
    for region in regions:
        key = " ".join(region.label.casefold().split())
        if key in seen:
            error(
                ctx,
                region.line,
                f"two regions named '{region.label}' (first at line {seen[key]}): the card "
                "could not tell them apart",
                "occlusion-duplicate-label",
            )
        seen.setdefault(key, region.line)
    mode = "hide-all"
    if "mode" in split.fields:
        written = " ".join(split.fields["mode"].text.markdown.lower().split())
        if written not in MODES:
            error(
                ctx,
                split.fields["mode"].line,
                f"mode must be 'hide all' or 'hide one', not '{written}'",
                "occlusion-bad-mode",
            )
        mode = MODES.get(written, mode)
    return [
        OcclusionNote(
            meta=ctx.heading_meta("occlusion", level=level_of(ctx, split.fields.get("level"))),
            question=Text(question, heading.line),
            image=Text(images[0].text.strip(), images[0].number) if images else NO_TEXT,
            regions=tuple(regions),
            mode=mode,
            back_extra=split.text("back"),
        )
    ]


def parse_region(ctx: CardContext, line: int, text: str) -> Region | None:
    match = REGION.match(text.strip())
    if not match:
        error(
            ctx,
            line,
            "a region is 'Label: left%, top%, width%, height%' (percent of the image's width "
            "and height, from its top-left corner)",
            "occlusion-bad-region",
        )
        return None
    label = match["label"].strip()
    left, top, width, height = (float(match[i]) for i in range(2, 6))
    if "{{" in label or "}}" in label or "::" in label:
        error(ctx, line, "a region's label cannot hold '{{', '}}' or '::'", "occlusion-bad-label")
        return None
    if width <= 0 or height <= 0 or left < 0 or top < 0 or left + width > 100 or top + height > 100:
        error(
            ctx,
            line,
            f"region '{label}' is not inside the image: left and top from 0, width and height "
            "above 0, left + width and top + height at most 100 (percent)",
            "occlusion-region-outside",
        )
        return None
    return Region(label, left, top, width, height, line)


def error(ctx: CardContext, line: int, message: str, code: str) -> None:
    ctx.diags.error(ctx.path, line, message, code=code)
