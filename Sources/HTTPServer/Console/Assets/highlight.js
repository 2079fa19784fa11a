/**
 * Marks the terms the classifier matched inside a message's subject and text.
 *
 * The gateway reports each match as UTF-8 byte offsets into the field (end exclusive), while
 * JavaScript strings index UTF-16 code units, so offsets are translated at character boundaries.
 * An offset that falls inside a character, or past the end, means the text and the match disagree;
 * such a match is not drawn rather than drawn in the wrong place. Overlapping matches (`太差劲`
 * and `差劲`) become one mark whose tooltip lists them all.
 */

import { h } from './dom.js';
import { t } from './i18n.js';

/** UTF-8 byte offset → UTF-16 index for `text`, `undefined` where the offset splits a character. */
export function byteOffsetMapper(text) {
  const boundaries = new Map([[0, 0]]);
  let bytes = 0;
  let units = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0);
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    units += char.length;
    boundaries.set(bytes, units);
  }
  return (offset) => boundaries.get(offset);
}

/**
 * The spans to mark in `text`: `[{start, end, matches}]` in UTF-16 indices, sorted, overlapping
 * matches merged (touching ones stay apart, so each keeps its own tooltip). Matches without a
 * position (some regex matches) or with offsets that do not fit the text are left out.
 */
export function markedSpans(text, matches) {
  const toIndex = byteOffsetMapper(text);
  const placed = [];
  for (const match of matches) {
    if (!Number.isInteger(match.start) || !Number.isInteger(match.end)) continue;
    const start = toIndex(match.start);
    const end = toIndex(match.end);
    if (start === undefined || end === undefined || end <= start) continue;
    placed.push({ start, end, match });
  }
  placed.sort((a, b) => a.start - b.start || b.end - a.end);

  const spans = [];
  for (const { start, end, match } of placed) {
    const last = spans[spans.length - 1];
    if (last && start < last.end) {
      last.end = Math.max(last.end, end);
      last.matches.push(match);
    } else {
      spans.push({ start, end, matches: [match] });
    }
  }
  return spans;
}

/** One line of a tooltip: what matched and how it counted. */
export function describeMatch(match) {
  const yesNo = (value) => (value ? t('common.yes') : t('common.no'));
  return [
    `${t('term.signal')}: ${match.signal}`,
    `${t('term.classifier')}: ${match.classifier}`,
    `${t('term.weight')}: ${match.weight}`,
    `${t('term.negated')}: ${yesNo(match.negated)}`,
    `${t('term.intensified')}: ${yesNo(match.intensified)}`,
  ].join(' · ');
}

let tipCount = 0;

function mark(slice, matches) {
  const id = `term-tip-${++tipCount}`;
  const lines = matches.map(describeMatch);
  const signals = [...new Set(matches.map((m) => m.signal))];
  return h('mark', {
    class: matches.every((m) => m.negated) ? 'term negated' : 'term',
    tabindex: 0,
    dataset: { signal: signals.join(' ') },
    title: lines.join('\n'),
    'aria-describedby': id,
  }, slice, h('span', { class: 'term-tip', role: 'tooltip', id }, lines.map((line) => h('span', { class: 'tip-line' }, line))));
}

/**
 * `text` as nodes with its matched spans marked; `field` selects the matches that point into it
 * (`subject` or `text`). Every piece of `text` stays a text node.
 */
export function highlighted(text, matches, field) {
  const nodes = [];
  let at = 0;
  for (const span of markedSpans(text, (matches ?? []).filter((m) => m.field === field))) {
    if (span.start > at) nodes.push(text.slice(at, span.start));
    nodes.push(mark(text.slice(span.start, span.end), span.matches));
    at = span.end;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}
