// Safe HTML for the assistant's messages. Every character of a message is escaped; the only markup
// is made here: paragraphs, "- " lists, links for web addresses and reply buttons. So an answer
// edited to contain HTML (say, in faq.yml) is shown as text and never runs.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// http(s) URLs and bare web addresses such as support.credly.com. E-mail addresses are matched only
// so that their domain is not mistaken for a web address. Same rule as bot/web/site.py.
const LINK = new RegExp(
  [
    /(https?:\/\/[^\s<>"']+)/.source,
    /([\w.%+-]+@[\w-]+(?:\.[\w-]+)+)/.source,
    /(\b(?:[a-z0-9-]+\.)+(?:com|org|edu|gov|net)\b(?:\/[^\s<>"']*)?)/.source,
  ].join('|'),
  'gi',
);
const TRAILING = /[.,;:!?)'"]+$/;

export function linkify(text) {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match[2]) continue; // an e-mail address: plain text
    const address = match[0].replace(TRAILING, '');
    const href = /^https?:\/\//i.test(address) ? address : `https://${address}`;
    html += escapeHtml(text.slice(last, match.index));
    html += `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(address)}</a>`;
    last = match.index + address.length;
  }
  return html + escapeHtml(text.slice(last));
}

// Markdown-light: lines starting with "- " become a list, other lines paragraphs.
export function formatText(text) {
  const blocks = [];
  let items = [];
  const flush = () => {
    if (items.length) blocks.push(`<ul>${items.map((item) => `<li>${linkify(item)}</li>`).join('')}</ul>`);
    items = [];
  };
  for (const line of String(text).split('\n')) {
    if (line.startsWith('- ')) {
      items.push(line.slice(2));
    } else {
      flush();
      if (line.trim()) blocks.push(`<p>${linkify(line)}</p>`);
    }
  }
  flush();
  return blocks.join('');
}

export function buttonsHtml(buttons) {
  if (!buttons || !buttons.length) return '';
  const each = buttons.map(
    (b) =>
      `<button type="button" class="acts-reply" data-payload="${escapeHtml(b.payload ?? b.title)}">` +
      `${escapeHtml(b.title)}</button>`,
  );
  return `<div class="acts-replies" role="group" aria-label="Suggested replies">${each.join('')}</div>`;
}

// 👍 / 👎 under an FAQ answer (bot/answers/feedback.py). The pressed one shows which the learner chose;
// a click is handled by the widget through deep-chat's htmlClassUtilities (class acts-vote).
export const VOTE_CLASS = 'acts-vote';
// The thumbs are drawn, not emoji: a computer without an emoji font would show empty boxes; for the
// same reason the learner's message a click makes is in words.
const THUMB =
  'M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 ' +
  '9v10c0 1.1.9 2 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7c.1-.2.2-.5.2-.8v-2z';
const icon = (flip) =>
  `<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="18" height="18"` +
  `${flip ? ' transform="rotate(180)"' : ''}><path fill="currentColor" d="${THUMB}"/></svg>`;
const VOTES = [
  { helpful: 'yes', said: 'Helpful', label: 'This answer helped', icon: icon(false) },
  { helpful: 'no', said: 'Not helpful', label: 'This answer did not help', icon: icon(true) },
];

export function feedbackHtml(feedback) {
  if (!feedback?.topic) return '';
  const each = VOTES.map(
    (v) =>
      `<button type="button" class="${VOTE_CLASS}" data-answer="${escapeHtml(feedback.id)}" ` +
      `data-helpful="${v.helpful}" aria-pressed="${feedback.vote === v.helpful}" aria-label="${v.label}" ` +
      `title="${v.label}">${v.icon}</button>`,
  );
  return `<div class="acts-feedback" role="group" aria-label="Was this answer helpful?">${each.join('')}</div>`;
}

// What a vote sends: the same "/feedback{...}" message as bot/answers/feedback.py `payload`.
export function votePayload(topic, helpful) {
  return `/feedback${JSON.stringify({ answer_topic: topic, helpful })}`;
}

export function voteText(helpful) {
  return VOTES.find((v) => v.helpful === helpful).said;
}

// Rasa's replies as transcript entries: each text with its buttons; an answer's custom payload
// (its FAQ topic, sent as a message of its own) puts 👍 / 👎 under the text before it.
let votesMade = 0;
export function entriesFrom(replies) {
  const entries = [];
  for (const reply of replies) {
    if (reply.text) entries.push({ from: 'bot', text: reply.text, buttons: reply.buttons });
    const topic = reply.custom?.feedback?.topic;
    const last = entries[entries.length - 1];
    if (topic && last && !last.feedback) {
      votesMade += 1;
      last.feedback = { topic, id: `${Date.now().toString(36)}-${votesMade}` };
    }
  }
  return entries;
}

export const STAFF_NAME = 'ACTS badge team';

// One transcript entry as deep-chat shows it: the learner's words as text (deep-chat renders them as
// markdown with HTML switched off), everything the widget shows as the HTML made above.
export function toChatMessage(entry) {
  if (entry.from === 'learner') return { role: 'user', text: entry.text };
  if (entry.from === 'staff') {
    // A person's answer, shown as theirs: the assistant never speaks in the staff's name.
    const html = `<div class="acts-message acts-staff"><p class="acts-from">${escapeHtml(STAFF_NAME)}</p>${formatText(entry.text || '')}</div>`;
    return { role: 'ai', html };
  }
  const kind = entry.from === 'notice' ? 'acts-message acts-notice' : 'acts-message';
  const parts = [formatText(entry.text || ''), buttonsHtml(entry.buttons), feedbackHtml(entry.feedback)];
  const html = `<div class="${kind}">${parts.join('')}</div>`;
  return { role: 'ai', html };
}

// What a screen reader announces for a bot message: its words, without markup.
export function spokenText(entry) {
  if (entry.from === 'staff') return `${STAFF_NAME} says: ${entry.text || ''}`;
  const choices = entry.buttons?.length ? ` Choices: ${entry.buttons.map((b) => b.title).join(', ')}.` : '';
  return `${entry.text || ''}${choices}`;
}
