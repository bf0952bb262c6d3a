// The relay with the Echo channel registered, as a deployment adding its own channel would build
// it: the registration, then the relay's own entry.
import { register } from '../../../relay/channels/index.ts';
import { echo } from './adapter.ts';

register(echo);
await import('../../../relay/main.ts');
