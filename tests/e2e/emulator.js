// Starts the Telegram Bot API emulator (telegram-test-api) for the end-to-end test.
// Usage: node emulator.js <port>. Prints "ready" when listening; stops on SIGTERM.
//
// Where telegram-test-api's answers differ from the real Bot API in ways python-telegram-bot rejects, they are
// corrected here; the emulator's own storage and client API are used unchanged:
//   getMe        lacks `is_bot`;
//   sendMessage  returns `date` in milliseconds instead of seconds;
//   getUpdates   drops `chat_instance` from callback queries.
const express = require('express');
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2] || 9000);
const emulator = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));

app.all('/bot:token/getMe', (_req, res) => res.json({
  ok: true,
  result: { id: 666, is_bot: true, first_name: '信访受理助手', username: 'XinpingPetitionBot' },
}));
app.all('/bot:token/sendMessage', (req, res) => {
  const msg = emulator.addBotMessage({ ...req.query, ...req.body }, req.params.token);
  res.json({ ok: true, result: { ...msg, date: Math.floor(msg.date / 1000) } });
});
app.all('/bot:token/getUpdates', (req, res) => {
  const updates = emulator.getUpdates(req.params.token).map((u) => (u.callback_query
    ? { ...u, callback_query: { chat_instance: String(u.callback_query.from.id), ...u.callback_query } }
    : u));
  res.json({ ok: true, result: updates });
});
app.use(emulator.webServer);
const listener = app.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => listener.close(() => process.exit(0)));
