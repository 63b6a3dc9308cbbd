// The ACTS badge assistant's chat widget. Embed it with one tag (settings as data- attributes):
//
//   <script type="module" src="https://<web service>/static/acts-chat.js"
//           data-bot-url="https://<rasa server>" data-title="ACTS badge assistant"></script>
//
// It adds a button in the corner that opens the chat. The chat component (deep-chat) is loaded the
// first time the chat opens, so a page whose visitors never chat only loads this small script.

import { ChatState } from './chat-state.js';
import { VOTE_CLASS, entriesFrom, spokenText, toChatMessage, votePayload, voteText } from './render.js';
import { MessageRefused, askBot, uploadFile } from './transport.js';

const QUICK_REPLIES = [
  { title: 'What is a digital badge?', payload: '/faq_what_is_badge' },
  { title: 'Is there a fee?', payload: '/faq_fee' },
  { title: 'Apply for a badge', payload: '/apply_badge' },
  { title: 'Check my application', payload: '/check_status' },
];
const DEFAULTS = {
  botUrl: 'http://localhost:5005',
  title: 'ACTS badge assistant',
  color: '#00467f', // white text on it: 9.6:1
  welcome: "Hi! I'm the ACTS badge assistant. Ask me anything about ACTS digital badges, or choose one of these:",
  launcher: 'Questions? Chat with us',
  open: false,
};
const ACCEPTED_FILES = '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg';
const OFFLINE =
  "Sorry, I can't reach the assistant right now. Your message is back in the box below: " +
  'press Enter to send it again in a moment.';
const NO_ANSWER = "Sorry, I have no answer to that. Could you put it another way?";
const REFUSED = "Sorry, I couldn't take that message. Could you say it more briefly?";
const MAX_MESSAGE_LENGTH = 5000; // what the bot server's REST channel accepts
const HANDOFF_POLL_MS = 2000; // how often an open page asks for the staff's answers
const HANDOFF_CLOSED = 'Your request {reference} is closed: you are back with the assistant.';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const TEXT = '#1b1b1b';

const MODULE_URL = new URL(import.meta.url);

function readSettings(data) {
  const color = data.color && CSS.supports('color', data.color) ? data.color : DEFAULTS.color;
  return {
    botUrl: (data.botUrl || DEFAULTS.botUrl).replace(/\/+$/, ''),
    // The upload links the bot sends must point here; by default the server this script came from.
    uploadOrigin: new URL(data.uploadUrl || MODULE_URL.origin).origin,
    title: data.title || DEFAULTS.title,
    color,
    welcome: data.welcome || DEFAULTS.welcome,
    launcher: data.launcherLabel || DEFAULTS.launcher,
    open: data.open ? data.open === 'true' : DEFAULTS.open,
  };
}

// White text sits on the chosen colour: below 4.5:1 contrast it is unreadable for many, so the
// default is used instead.
function readableColour(colour) {
  const probe = document.createElement('span');
  probe.style.color = colour;
  document.body.appendChild(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  if (!computed.startsWith('rgb')) return colour; // a colour space this check does not know
  const [r, g, b] = computed.match(/[\d.]+/g).map(Number);
  const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const contrast = 1.05 / (0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) + 0.05);
  if (contrast >= 4.5) return colour;
  console.warn(`acts-chat: data-color ${colour} gives white text ${contrast.toFixed(1)}:1 contrast (< 4.5:1)`);
  return DEFAULTS.color;
}

function ownScript() {
  return [...document.querySelectorAll('script[src]')].find((script) => script.src === import.meta.url);
}

const TEMPLATE = `
<link rel="stylesheet" href="${new URL('./acts-chat.css', MODULE_URL)}">
<button type="button" class="launcher" aria-expanded="false" aria-controls="acts-panel">
  <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">
    <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/>
  </svg>
  <span class="launcher-label"></span>
</button>
<section id="acts-panel" class="panel" role="dialog" aria-labelledby="acts-title" hidden>
  <header class="bar">
    <h2 id="acts-title" class="title"></h2>
    <button type="button" class="start-over">Start over</button>
    <button type="button" class="close" aria-label="Close the chat">
      <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">
        <path d="M6 6l12 12M18 6 6 18" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>
      </svg>
    </button>
  </header>
  <div class="chat-slot"><p class="loading">Loading the chat…</p></div>
  <div class="upload" role="group" aria-labelledby="upload-help" hidden>
    <p id="upload-help" class="upload-help">Attach your certificate here: PDF, PNG or JPEG, up to 10 MB.</p>
    <input type="file" class="file" accept="${ACCEPTED_FILES}" tabindex="-1" aria-hidden="true">
    <button type="button" class="attach">Choose a file</button>
    <progress class="progress" max="100" value="0" aria-label="Upload progress" hidden></progress>
    <p class="upload-status" role="status"></p>
  </div>
  <p class="announcer" aria-live="polite"></p>
</section>`;

class ActsChat {
  constructor(settings) {
    this.settings = settings;
    const welcome = { from: 'bot', text: settings.welcome, buttons: QUICK_REPLIES };
    this.state = new ChatState(`acts-chat:${settings.botUrl}`, welcome);
    this.chat = null; // the deep-chat element, made the first time the chat opens
    this.chatReady = null;
    this.nextMessage = null; // what a clicked button or an upload sends instead of its visible text
  }

  mount() {
    const host = document.createElement('div');
    host.id = 'acts-chat';
    host.style.setProperty('--acts-primary', readableColour(this.settings.color));
    host.hidden = true; // until its styles are in: no flash of an unstyled button
    const root = host.attachShadow({ mode: 'open' });
    root.innerHTML = TEMPLATE;
    const $ = (selector) => root.querySelector(selector);
    this.el = {
      host,
      launcher: $('.launcher'),
      panel: $('.panel'),
      slot: $('.chat-slot'),
      upload: $('.upload'),
      file: $('.file'),
      attach: $('.attach'),
      progress: $('.progress'),
      uploadStatus: $('.upload-status'),
      announcer: $('.announcer'),
    };
    $('.launcher-label').textContent = this.settings.launcher;
    $('.title').textContent = this.settings.title;
    $('link').addEventListener('load', () => (host.hidden = false));
    $('link').addEventListener('error', () => (host.hidden = false));
    this.el.launcher.addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));
    // Fetch the chat component as soon as the learner shows interest.
    for (const event of ['pointerenter', 'focus']) {
      this.el.launcher.addEventListener(event, () => import('./deep-chat.js'), { once: true });
    }
    $('.close').addEventListener('click', () => this.close());
    $('.start-over').addEventListener('click', () => this.startOver());
    this.el.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
    this.el.attach.addEventListener('click', () => this.el.file.click());
    this.el.file.addEventListener('change', () => this.uploadChosenFile());
    document.body.appendChild(host);
    // Opened by the page, not by the learner: the focus stays where it is.
    if (this.settings.open || sessionStorage.getItem(this.openKey()) === 'true') this.open({ focus: false });
  }

  openKey() {
    return `${this.state.key}:open`;
  }

  isOpen() {
    return !this.el.panel.hidden;
  }

  async open({ focus = true } = {}) {
    this.el.panel.hidden = false;
    this.el.host.classList.add('open');
    this.el.launcher.setAttribute('aria-expanded', 'true');
    sessionStorage.setItem(this.openKey(), 'true');
    this.chatReady ??= this.makeChat(); // once, however quickly the launcher is clicked again
    await this.chatReady;
    if (focus) this.focusMessageBox();
  }

  // deep-chat may still be laying itself out: try for a moment, while the focus is still where
  // opening left it (the launcher, or nowhere), never taking it from where the learner moved it.
  focusMessageBox(tries = 20) {
    const root = this.chat.shadowRoot;
    if (root?.activeElement?.id === 'text-input') return;
    const inside = this.el.host.shadowRoot.activeElement;
    const focus = document.activeElement === this.el.host ? inside : document.activeElement;
    const untouched =
      [this.el.launcher, document.body, null].includes(focus) || (focus === this.chat && !root?.activeElement);
    if (!untouched) return;
    this.chat.focusInput();
    if (tries > 0) setTimeout(() => this.focusMessageBox(tries - 1), 50);
  }

  close() {
    this.el.panel.hidden = true;
    this.el.host.classList.remove('open');
    this.el.launcher.setAttribute('aria-expanded', 'false');
    sessionStorage.setItem(this.openKey(), 'false');
    this.el.launcher.focus();
  }

  async makeChat() {
    await import('./deep-chat.js');
    const chat = document.createElement('deep-chat');
    chat.style.fontFamily = FONT; // deep-chat fetches a web font from the internet unless a font is set here
    Object.assign(chat, this.chatOptions());
    chat.history = this.state.transcript.map(toChatMessage);
    // deep-chat calls onComponentRender after its first render only, but any later render makes its
    // parts anew: an observer labels every send button it ever makes, not just the first one.
    const rendered = new Promise((resolve) => {
      chat.onComponentRender = () => {
        this.labelChat();
        new MutationObserver(() => this.labelChat()).observe(chat.shadowRoot, { childList: true, subtree: true });
        resolve();
      };
    });
    // Reply buttons live inside deep-chat's (open) shadow root; one listener serves them all.
    chat.addEventListener('click', (event) => {
      const button = event.composedPath().find((node) => node.classList?.contains('acts-reply'));
      if (button) this.sendChoice(button.textContent, button.dataset.payload);
    });
    this.chat = chat;
    this.el.slot.replaceChildren(chat);
    await rendered;
    this.showUpload(this.state.upload);
    if (this.state.handoff) this.pollHandoff(); // a request still open when the page was left
  }

  chatOptions() {
    const bubble = { padding: '0.6em 0.85em', lineHeight: '1.45', maxWidth: '85%', fontSize: '1rem' };
    return {
      connect: { handler: (body, signals) => this.handle(body, signals) },
      chatStyle: {
        width: '100%',
        height: '100%',
        border: 'none',
        backgroundColor: '#ffffff',
        fontFamily: FONT,
        fontSize: '1rem',
      },
      messageStyles: {
        default: {
          shared: { bubble },
          user: { bubble: { backgroundColor: 'var(--acts-primary)', color: '#ffffff' } },
          ai: { bubble: { backgroundColor: '#eef1f4', color: TEXT } },
        },
        html: { shared: { bubble: { ...bubble, backgroundColor: '#eef1f4', color: TEXT } } },
        error: { bubble: { backgroundColor: '#fdecea', color: '#8a1c12', maxWidth: '85%', fontSize: '1rem' } },
      },
      textInput: {
        characterLimit: MAX_MESSAGE_LENGTH,
        placeholder: { text: 'Type a message…', style: { color: '#5c5c5c' } },
        styles: { text: { color: TEXT, fontSize: '1rem' }, container: { width: '82%' } },
      },
      remarkable: { html: false, linkTarget: '_blank' }, // learners' text: markdown without HTML
      errorMessages: { displayServiceErrorMessages: true },
      // 👍 / 👎 under the answers: native buttons, so reachable with Tab and pressed with Enter or Space.
      htmlClassUtilities: { [VOTE_CLASS]: { events: { click: (event) => this.vote(event.target) } } },
      auxiliaryStyle: AUXILIARY_STYLE,
    };
  }

  // deep-chat's own parts, named for screen readers; its send button also answers the space bar.
  labelChat() {
    const root = this.chat.shadowRoot;
    root?.querySelector('#messages')?.setAttribute('aria-label', 'Conversation');
    root?.querySelector('#messages')?.setAttribute('role', 'log');
    const send = root?.querySelector('.input-button[role="button"]');
    if (!send || send.dataset.actsLabelled) return;
    send.dataset.actsLabelled = 'yes';
    send.setAttribute('aria-label', 'Send');
    send.addEventListener('keydown', (event) => {
      if (event.key !== ' ') return;
      event.preventDefault();
      send.click();
    });
  }

  sendChoice(title, payload) {
    this.nextMessage = { text: title, message: payload };
    this.chat.submitUserMessage({ text: title });
  }

  // A 👍 or 👎: shown as pressed (and kept, for a reload), then sent like a reply button. The same vote
  // again sends nothing; the other one replaces it (the assistant counts one vote per answer).
  vote(target) {
    const button = target?.closest?.(`.${VOTE_CLASS}`);
    if (!button) return;
    const { answer, helpful } = button.dataset;
    const entry = this.state.transcript.find((e) => e.feedback?.id === answer);
    if (!entry || entry.feedback.vote === helpful) return;
    entry.feedback.vote = helpful;
    this.state.save();
    for (const other of button.parentElement.querySelectorAll(`.${VOTE_CLASS}`)) {
      other.setAttribute('aria-pressed', String(other.dataset.helpful === helpful));
    }
    this.sendChoice(voteText(helpful), votePayload(entry.feedback.topic, helpful));
  }

  // deep-chat calls this for every message the learner sends (typed, a button, an upload).
  async handle(body, signals) {
    const text = body?.messages?.[0]?.text ?? '';
    const planned = this.nextMessage?.text === text ? this.nextMessage : null;
    this.nextMessage = null;
    if (!planned?.metadata) this.hideUploadDone(); // the next message after an upload: its work is done
    try {
      const message = planned?.message ?? text;
      const replies = await askBot(this.settings.botUrl, this.state.sender, message, planned?.metadata);
      const entries = entriesFrom(replies);
      if (!entries.length) entries.push({ from: 'bot', text: NO_ANSWER }); // else "typing" would never end
      this.state.add({ from: 'learner', text }, ...entries);
      await signals.onResponse(entries.map(toChatMessage));
      this.announce(entries.map(spokenText).join(' '));
      const handoff = replies.map((r) => r.custom?.handoff).find(Boolean);
      if (handoff) this.followHandoff(handoff);
      const upload = replies.map((r) => r.custom?.upload).find(Boolean);
      if (upload) this.offerUpload(upload);
      else if (entries.length && this.state.upload) this.offerUpload(null); // the step is over
    } catch (error) {
      const explanation = error instanceof MessageRefused ? REFUSED : OFFLINE;
      await signals.onResponse({ error: explanation });
      this.announce(explanation);
      if (!planned) this.restoreInput(text);
    }
  }

  restoreInput(text) {
    const input = this.chat.shadowRoot?.querySelector('#text-input');
    if (!input) return;
    input.textContent = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // A request to talk to a person: while it is open, this page reads the staff's answers from the web
  // service (the URL carries the request's own secret) and shows them as theirs.
  followHandoff(handoff) {
    if (!this.isOurLink(handoff.answers, '/handoff/')) return;
    this.state.setHandoff({ reference: handoff.reference, answers: handoff.answers, after: 0 });
    this.pollHandoff();
  }

  pollHandoff() {
    if (this.polling) return;
    this.polling = true;
    const round = async () => {
      const handoff = this.state.handoff;
      if (!handoff) {
        this.polling = false;
        return;
      }
      try {
        const response = await fetch(`${handoff.answers}?after=${handoff.after}`, { credentials: 'omit' });
        if (response.status === 404) {
          this.state.setHandoff(null); // forgotten or erased: nothing more will come
        } else if (response.ok) {
          this.showAnswers(await response.json());
        }
      } catch {
        // offline for a moment: the next round asks again
      }
      setTimeout(round, HANDOFF_POLL_MS);
    };
    round();
  }

  showAnswers(found) {
    const handoff = this.state.handoff;
    for (const answer of found.answers || []) {
      const entry = { from: 'staff', text: answer.text };
      this.state.add(entry);
      this.chat?.addMessage(toChatMessage(entry));
      this.announce(spokenText(entry));
      handoff.after = Math.max(handoff.after, answer.id);
    }
    if (found.open === false) {
      this.state.setHandoff(null);
      this.notice(HANDOFF_CLOSED.replace('{reference}', found.reference));
    } else {
      this.state.setHandoff(handoff);
    }
  }

  // Upload links are only used in place when they point at the configured upload server.
  offerUpload(upload) {
    const usable = upload && this.isOurUploadLink(upload.url) ? { url: upload.url, token: upload.token } : null;
    this.state.setUpload(usable);
    this.showUpload(usable);
  }

  isOurUploadLink(url) {
    return this.isOurLink(url, '/upload/');
  }

  isOurLink(url, path) {
    try {
      const link = new URL(url);
      return link.origin === this.settings.uploadOrigin && link.pathname.startsWith(path);
    } catch {
      return false;
    }
  }

  showUpload(upload) {
    this.el.upload.hidden = !upload;
    this.el.attach.hidden = false;
    this.el.progress.hidden = true;
    this.el.uploadStatus.textContent = '';
    this.el.upload.classList.remove('done', 'refused');
  }

  hideUploadDone() {
    if (this.el.upload.classList.contains('done')) this.el.upload.hidden = true;
  }

  async uploadChosenFile() {
    const file = this.el.file.files?.[0];
    this.el.file.value = ''; // the same file can be chosen again after a refusal
    const upload = this.state.upload;
    if (!file || !upload) return;
    const { attach, progress, uploadStatus } = this.el;
    this.el.upload.classList.remove('done', 'refused');
    attach.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    uploadStatus.textContent = `Uploading ${file.name}…`;
    const answer = await uploadFile(upload.url, file, (done) => (progress.value = Math.round(done * 100)));
    attach.disabled = false;
    uploadStatus.textContent = answer.message;
    if (!answer.ok) {
      progress.hidden = true;
      this.el.upload.classList.add('refused');
      this.notice(answer.message);
      attach.focus();
      return;
    }
    progress.value = 100;
    attach.hidden = true;
    this.el.upload.classList.add('done');
    this.state.setUpload(null);
    // The conversation goes on by itself: the form finds the document in the draft.
    const name = answer.document?.name || file.name;
    const text = `I've uploaded ${name}`;
    this.nextMessage = { text, message: text, metadata: { upload_token: upload.token } };
    this.chat.submitUserMessage({ text });
  }

  notice(text) {
    const entry = { from: 'notice', text };
    this.state.add(entry);
    this.chat.addMessage(toChatMessage(entry));
    this.announce(text);
  }

  announce(text) {
    this.el.announcer.textContent = '';
    // A new text node in the live region is what screen readers pick up.
    setTimeout(() => (this.el.announcer.textContent = text), 50);
  }

  startOver() {
    // An application left half-way in the old conversation could never be resumed from the new
    // one: cancel it, so the assistant deletes its draft and any uploaded file.
    if (this.state.transcript.some((entry) => entry.from === 'learner')) {
      askBot(this.settings.botUrl, this.state.sender, '/stop').catch(() => {});
    }
    this.state.restart();
    this.nextMessage = null;
    this.showUpload(null);
    if (this.chat) {
      this.chat.clearMessages();
      for (const entry of this.state.transcript) this.chat.addMessage(toChatMessage(entry));
      this.chat.focusInput();
    }
    this.announce('A new conversation has started.');
  }
}

// Styles inside deep-chat's shadow root for the markup render.js makes.
const AUXILIARY_STYLE = `
  .acts-message p { margin: 0 0 0.5em; }
  .acts-message p:last-child, .acts-message ul:last-child { margin-bottom: 0; }
  .acts-message ul { margin: 0 0 0.5em; padding-left: 1.2em; }
  .acts-message a, .message-bubble a { color: #0b4f8a; text-decoration: underline; }
  .user-message-text a { color: #ffffff; }
  .acts-notice { border-left: 4px solid #a4262c; padding-left: 0.6em; color: #7a1c12; }
  .acts-staff { border-left: 4px solid var(--acts-primary); padding-left: 0.6em; }
  .acts-from { font-weight: 600; font-size: 0.9rem; }
  .acts-replies { display: flex; flex-wrap: wrap; gap: 0.4em; margin-top: 0.6em; }
  .acts-reply {
    font: inherit; font-size: 0.95rem; color: var(--acts-primary); background: #ffffff;
    border: 1.5px solid var(--acts-primary); border-radius: 1.2em; padding: 0.35em 0.85em; cursor: pointer;
    text-align: left;
  }
  .acts-reply:hover { background: var(--acts-primary); color: #ffffff; }
  .acts-feedback { display: flex; gap: 0.3em; margin-top: 0.5em; }
  .acts-vote {
    display: inline-flex; align-items: center; color: #57606a; background: #ffffff;
    border: 1.5px solid #8c959f; border-radius: 1em; padding: 0.3em 0.6em; cursor: pointer;
  }
  .acts-vote svg { pointer-events: none; }
  .acts-vote:hover { color: var(--acts-primary); border-color: var(--acts-primary); }
  .acts-vote[aria-pressed="true"] { color: #ffffff; background: var(--acts-primary); border-color: var(--acts-primary); }
  .acts-reply:focus-visible, .acts-vote:focus-visible, a:focus-visible, #text-input:focus-visible, [role="button"]:focus-visible {
    outline: 3px solid #f2a900; outline-offset: 2px;
  }
`;

const script = ownScript();
const widget = new ActsChat(readSettings(script ? script.dataset : {}));
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => widget.mount());
else widget.mount();
