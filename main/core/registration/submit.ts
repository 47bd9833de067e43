import { WrenError } from "../../shared/errors";
import { validateFormValues, type FormValues } from "../stanzas/data-form";
import { buildRegisterSubmit } from "../stanzas/register";
import { expiredError, RegistrationError, registrationError } from "./errors";
import { RegistrationHandle } from "./open-form";

/**
 * Sends the filled-in form on the stream it came on. The values are checked against the form
 * first; a taken name or a field to correct leaves the stream open for another try, any other
 * answer closes it.
 */
export async function submitRegistration(
  handle: RegistrationHandle,
  values: FormValues,
): Promise<{ jid: string | null }> {
  if (!(handle instanceof RegistrationHandle)) {
    throw new WrenError("invalid-argument", "Unknown registration.");
  }
  if (handle.closed) throw expiredError();
  if (handle.busy) {
    throw new WrenError("invalid-argument", "The form is already being sent. Wait for the answer.");
  }
  const problems = validateFormValues(handle.form.fields, values);
  if (problems.length > 0) {
    throw new RegistrationError("invalid-argument", "invalid-fields", problems.join(" "));
  }

  try {
    await handle.request(buildRegisterSubmit(handle.form, values));
  } catch (error) {
    const failure = registrationError(error, handle.domain);
    // The person may correct a taken name or a missing field and send the same form again.
    const retry =
      failure instanceof RegistrationError &&
      (failure.reason === "conflict" || failure.reason === "invalid-fields");
    if (!retry) await handle.close();
    throw failure;
  }
  // The answer is in; closing the stream politely need not hold it up.
  void handle.close();
  return { jid: newJid(values.username, handle.domain) };
}

export async function cancelRegistration(handle: RegistrationHandle): Promise<void> {
  if (handle instanceof RegistrationHandle) await handle.close();
}

/** The address a successful registration created, when the form had a username field. */
function newJid(username: FormValues[string] | undefined, domain: string): string | null {
  const name = (Array.isArray(username) ? username[0] : username)?.trim();
  return name ? `${name.normalize("NFKC").toLowerCase()}@${domain}` : null;
}
