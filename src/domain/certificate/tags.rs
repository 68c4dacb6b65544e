//! The tagged PDF's structure: each drawn operation marked as content of
//! its block (or as an artifact), and the blocks as the structure tree.

use std::num::NonZeroU16;

use krilla::surface::Surface;
use krilla::tagging::{
    ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind,
    TagTree,
};

use super::layout::{Block, BlockNode, Op};
use super::pdf::{KrillaFonts, draw};

/// Draws one operation inside its marked content: a span (or, for the QR
/// code, other content) of its block, else an artifact.
pub(super) fn draw_marked(
    surface: &mut Surface<'_>,
    op: &Op,
    fonts: &KrillaFonts,
    marked: &mut [Vec<Identifier>],
) {
    let block = match op {
        Op::Text { block, .. } | Op::Qr { block, .. } => *block,
        _ => None,
    };
    match block.filter(|b| *b < marked.len()) {
        Some(index) => {
            let tag = match op {
                Op::Qr { .. } => ContentTag::Other,
                _ => ContentTag::Span(SpanTag::empty()),
            };
            let id = surface.start_tagged(tag);
            draw(surface, op, fonts);
            surface.end_tagged();
            marked[index].push(id);
        }
        None => {
            surface.start_tagged(ContentTag::Artifact(ArtifactType::Other));
            draw(surface, op, fonts);
            surface.end_tagged();
        }
    }
}

/// The structure tree: each block a group holding its marked content, each
/// container holding its blocks, all in reading order. Groups left empty
/// (a blank table cell) are dropped by krilla.
pub(super) fn tag_tree(blocks: &[BlockNode], marked: Vec<Vec<Identifier>>) -> TagTree {
    let mut groups: Vec<Option<TagGroup>> = blocks
        .iter()
        .zip(marked)
        .map(|(block, ids)| {
            let mut group = TagGroup::new(tag_kind(&block.kind));
            for id in ids {
                group.push(id);
            }
            Some(group)
        })
        .collect();
    // Children come after their container, so filling containers from the
    // back puts every child into a complete parent; each keeps its order.
    let mut children: Vec<Vec<TagGroup>> = blocks.iter().map(|_| Vec::new()).collect();
    let mut tree = TagTree::new();
    let mut roots = Vec::new();
    for index in (0..blocks.len()).rev() {
        let Some(mut group) = groups[index].take() else {
            continue;
        };
        for child in std::mem::take(&mut children[index]).into_iter().rev() {
            group.push(child);
        }
        match blocks[index].parent {
            Some(parent) if parent < index => children[parent].push(group),
            _ => roots.push(group),
        }
    }
    for group in roots.into_iter().rev() {
        tree.push(group);
    }
    tree
}

/// The PDF structure type for a block.
fn tag_kind(block: &Block) -> TagKind {
    let level = |n: u16| NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN);
    match block {
        Block::Title => Tag::Hn(level(1), None).into(),
        Block::Heading => Tag::Hn(level(2), None).into(),
        Block::Subheading => Tag::Hn(level(3), None).into(),
        Block::Paragraph => Tag::P.into(),
        Block::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
        Block::Link(_) => Tag::Link.into(),
        Block::Table => Tag::Table.into(),
        Block::Row => Tag::TR.into(),
        Block::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
        Block::Cell => Tag::TD.into(),
    }
}
