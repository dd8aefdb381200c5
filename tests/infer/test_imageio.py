"""imageio: one-line reasons for every kind of unusable file, folder scanning, the shared resize."""

from __future__ import annotations

import errno

import numpy as np
import pytest
from PIL import Image

from coinnet.files import find_images
from coinnet.infer import imageio
from coinnet.infer.imageio import ImageError, load_image, load_image_scaled, square_resize
from tests.helpers.infer import bad_input_folder, coin_like


@pytest.fixture
def folder(tmp_path):
    expected = bad_input_folder(tmp_path / "in")
    return tmp_path / "in", expected


def test_good_files_decode_to_rgb_uint8(folder):
    path, expected = folder
    for name, want in expected.items():
        if want == "ok":
            img = load_image(path / name)
            assert img.dtype == np.uint8 and img.shape == (90, 120, 3), name


def test_bad_files_give_one_line_reasons_naming_the_file(folder):
    path, expected = folder
    for name, keyword in expected.items():
        if keyword == "ok":
            continue
        with pytest.raises(ImageError) as info:
            load_image(path / name)
        message = str(info.value)
        assert "\n" not in message
        assert message.startswith(str(path / name)), message
        assert keyword in message.lower(), message


def test_permission_denied_is_reported(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reading, so simulate the OS refusing.
    target = tmp_path / "locked.png"
    Image.fromarray(coin_like(0)).save(target)

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(imageio.Image, "open", refuse)
    with pytest.raises(ImageError, match="permission denied"):
        load_image(target)


def test_bomb_between_limit_and_twice_limit_is_refused(tmp_path, monkeypatch):
    # Pillow only warns up to 2x its limit; load_image must still refuse.
    monkeypatch.setattr(imageio, "MAX_PIXELS", 50 * 50)
    monkeypatch.setattr(imageio.Image, "MAX_IMAGE_PIXELS", 50 * 50)
    target = tmp_path / "big.png"
    Image.fromarray(np.zeros((60, 60, 3), np.uint8)).save(target)
    with pytest.raises(ImageError, match="too large"):
        load_image(target)


def test_exif_orientation_is_honoured(tmp_path):
    img = Image.fromarray(coin_like(1, h=40, w=80))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    img.save(tmp_path / "r.jpg", exif=exif)
    assert load_image(tmp_path / "r.jpg").shape[:2] == (80, 40)


def test_find_images_matches_suffixes_case_insensitively_and_recurses_on_request(folder):
    path, expected = folder
    (path / "sub").mkdir()
    Image.fromarray(coin_like(3)).save(path / "sub" / "deep.PNG")
    (path / "sub" / "up").symlink_to(path, target_is_directory=True)  # a folder loop must not be followed
    flat = {p.name for p in find_images(path)}
    assert flat == set(expected)
    deep = find_images(path, recursive=True)
    assert {p.name for p in deep} == set(expected) | {"deep.PNG"}
    assert len(deep) == len(set(deep))


def test_square_resize_pads_to_a_centred_square():
    img = np.full((40, 80, 3), 200, np.uint8)
    out = square_resize(img, 32)
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8
    assert out[:6].max() == 0 and out[-6:].max() == 0  # black bars above and below
    assert out[12:20].min() == 200  # the picture in the middle
    assert square_resize(np.full((10, 10, 3), 7, np.uint8), 64).min() == 7  # upscaling works too


def test_reduced_scale_jpeg_decoding_stays_above_min_side_and_close_to_full(tmp_path):
    big = np.kron(coin_like(4, 150, 200), np.ones((8, 8, 1), np.uint8))  # 1200 x 1600, smooth blocks
    Image.fromarray(big).save(tmp_path / "big.jpg", quality=92)
    Image.fromarray(big).save(tmp_path / "big.png")
    full, fast = load_image(tmp_path / "big.jpg"), load_image(tmp_path / "big.jpg", min_side=256)
    assert full.shape == (1200, 1600, 3)
    assert min(fast.shape[:2]) >= 256 and fast.shape[0] < full.shape[0]
    diff = np.abs(square_resize(full, 128).astype(int) - square_resize(fast, 128).astype(int))
    assert diff.mean() < 2.0
    assert load_image(tmp_path / "big.png", min_side=256).shape == full.shape  # only JPEGs are scaled


def test_the_reduced_scale_is_reported_along_each_axis_after_exif_turns(tmp_path):
    big = np.kron(coin_like(5, 150, 100), np.ones((8, 8, 1), np.uint8))  # 1200 high x 800 wide
    Image.fromarray(big).save(tmp_path / "plain.jpg", quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter: 800 high x 1200 wide
    Image.fromarray(np.kron(coin_like(5, 150, 200), np.ones((8, 8, 1), np.uint8))).save(tmp_path / "r.jpg", exif=exif)
    image, scale = load_image_scaled(tmp_path / "plain.jpg", min_side=256)
    assert image.shape[:2] == (600, 400) and scale == (2.0, 2.0)  # 1/4 would put a side under 256
    assert load_image_scaled(tmp_path / "plain.jpg")[1] == (1.0, 1.0)
    turned, (sx, sy) = load_image_scaled(tmp_path / "r.jpg", min_side=200)
    assert turned.shape[:2] == (400, 300)  # 1600 x 1200 stored, turned, decoded at 1/4
    assert (turned.shape[1] * sx, turned.shape[0] * sy) == (1200, 1600)


def _in_thread(fn, timeout: float = 20.0):
    """Run ``fn`` in a thread and fail (instead of hanging the suite) if it does not return in time."""
    import threading

    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(out=_catch(fn)), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), "load_image blocked"
    return box["out"]


def _catch(fn):
    try:
        return fn()
    except Exception as exc:
        return exc


def test_fifo_device_and_socket_are_refused_before_opening(tmp_path):
    import os
    import socket

    os.mkfifo(tmp_path / "pipe.jpg")  # opening it for reading would wait for a writer forever
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.jpg"))
    try:
        for name, kind in [("pipe.jpg", "named pipe (FIFO)"), ("zero.png", "character device"), ("sock.jpg", "socket")]:
            err = _in_thread(lambda name=name: load_image(tmp_path / name))
            assert isinstance(err, ImageError) and str(err) == f"{tmp_path / name}: a {kind}, not a regular file"
    finally:
        sock.close()


def test_16_bit_greyscale_is_scaled_to_8_bit_not_clipped_white(tmp_path):
    from tests.helpers.infer import grey16_png

    img = load_image(grey16_png(tmp_path / "g16.png"))
    assert img.shape == (90, 120, 3) and img.dtype == np.uint8
    ramp = img[0, :, 0].astype(int)
    assert ramp[0] == 0 and ramp[-1] == 255 and (np.diff(ramp) >= 0).all()
    assert 120 < img.mean() < 135  # a ramp, not white (the old convert("RGB") clipped everything to 255)
    assert (img[..., 0] == img[..., 2]).all()
    big = Image.fromarray(np.full((8, 8), 40000, np.int32), "I")  # 16-bit values held in 32-bit storage
    big.save(tmp_path / "i32.tif")
    assert load_image(tmp_path / "i32.tif").max() == 40000 >> 8


def test_a_jpeg_cut_short_is_an_error_not_a_grey_picture(tmp_path):
    from tests.helpers.infer import grey_filled_jpeg

    path = grey_filled_jpeg(tmp_path / "cut.jpg", coin_like(5, 160, 160))
    for min_side in (None, 40):  # also when decoded at reduced scale
        with pytest.raises(ImageError, match="corrupt JPEG data"):
            load_image(path, min_side=min_side)
    Image.fromarray(coin_like(5, 160, 160)).save(tmp_path / "whole.jpg", quality=90)
    assert load_image(tmp_path / "whole.jpg").shape == (160, 160, 3)
