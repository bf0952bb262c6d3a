export { journalEvents } from '../../helpers/journal.ts';
