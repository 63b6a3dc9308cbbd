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

// One transcript entry as deep-chat shows it: the learner's words as text (deep-chat renders them as
// markdown with HTML switched off), everything the widget shows as the HTML made above.
export function toChatMessage(entry) {
  if (entry.from === 'learner') return { role: 'user', text: entry.text };
  const kind = entry.from === 'notice' ? 'acts-message acts-notice' : 'acts-message';
  const html = `<div class="${kind}">${formatText(entry.text || '')}${buttonsHtml(entry.buttons)}</div>`;
  return { role: 'ai', html };
}

// What a screen reader announces for a bot message: its words, without markup.
export function spokenText(entry) {
  const choices = entry.buttons?.length ? ` Choices: ${entry.buttons.map((b) => b.title).join(', ')}.` : '';
  return `${entry.text || ''}${choices}`;
}
