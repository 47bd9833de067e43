import type { Attachment } from "svelte/attachments";
import type { FilePreview } from "../../../preload/contract";
import { base64ToBytes } from "./base64";

/** The most room a preview takes in a message, in CSS pixels (FileCard's CSS uses the same). */
export const PREVIEW_BOX = { width: 280, height: 200 } as const;

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const IMAGE_NAME = /\.(png|jpe?g|gif|webp)$/i;

/** An image a preview can be asked for: by its media type, or by its name when that is unknown. */
export function looksLikeImage(name: string, mediaType: string | null): boolean {
  const type = mediaType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "" ? IMAGE_NAME.test(name) : IMAGE_TYPES.has(type);
}

/** An image decoded in the page, ready to draw, and the size to show it at (CSS pixels). */
export interface DecodedPreview {
  bitmap: ImageBitmap;
  width: number;
  height: number;
}

/** The size of a `width` × `height` picture scaled down (never up) to fit `box`. */
export function fitInto(
  width: number,
  height: number,
  box: { width: number; height: number },
): { width: number; height: number } {
  const scale = Math.min(1, box.width / width, box.height / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Decodes a preview's bytes with the browser's image decoder, in the page: nothing is fetched.
 * Kept no larger than it is drawn (at `pixelRatio`), so a cache of previews stays small. Null
 * when the bytes are no image the page can decode.
 */
export async function decodePreview(
  preview: FilePreview,
  pixelRatio = globalThis.devicePixelRatio || 1,
): Promise<DecodedPreview | null> {
  if (typeof createImageBitmap !== "function" || !IMAGE_TYPES.has(preview.mediaType)) return null;
  try {
    const blob = new Blob([base64ToBytes(preview.data)], { type: preview.mediaType });
    const full = await createImageBitmap(blob);
    const shown = fitInto(full.width, full.height, PREVIEW_BOX);
    const pixels = fitInto(full.width, full.height, {
      width: shown.width * pixelRatio,
      height: shown.height * pixelRatio,
    });
    if (pixels.width >= full.width) return { bitmap: full, ...shown };
    const small = await createImageBitmap(full, {
      resizeWidth: pixels.width,
      resizeHeight: pixels.height,
      resizeQuality: "high",
    });
    full.close();
    return { bitmap: small, ...shown };
  } catch {
    return null;
  }
}

/** Draws a decoded preview on the canvas it is attached to. */
export function drawPreview(preview: DecodedPreview): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    canvas.width = preview.bitmap.width;
    canvas.height = preview.bitmap.height;
    try {
      canvas.getContext("2d")?.drawImage(preview.bitmap, 0, 0);
    } catch {
      // Closed meanwhile (pushed out of the cache): the box stays empty, nothing breaks.
    }
  };
}
