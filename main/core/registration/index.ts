// XEP-0077 in-band registration: create an account on a server before ever signing in to it.
//
// The form is fetched and submitted on one stream, kept open in between: some servers tie what
// they ask to the stream (a CAPTCHA, a token in a hidden field), and a form answered on another
// stream would be refused. If the stream is gone by the time the person submits, they fetch a new
// form. The stream is encrypted (STARTTLS or direct TLS, certificate checked against the domain,
// exactly as for signing in) before the first registration stanza goes out, and SASL never runs.
//
//   fetch.ts      connect, secure the stream, fetch the form
//   client.ts     the entity that does TLS and nothing else
//   open-form.ts  the stream kept open for a form, and its idle timeout
//   submit.ts     sending the form, cancelling it
//   errors.ts     what a failure means for the person

export {
  fetchRegistrationForm,
  FETCH_TIMEOUT_MS,
  type RegistrationStart,
  type RegistrationTarget,
} from "./fetch";
export { IDLE_TIMEOUT_MS, type RegistrationHandle } from "./open-form";
export { cancelRegistration, submitRegistration } from "./submit";
export { RegistrationError, registrationError, type RegistrationFailure } from "./errors";
export type { RegistrationForm } from "../stanzas/register";
export type { FormField, FormValues } from "../stanzas/data-form";
